# The RDS-managed master secret is rotated by RDS (every 7 days by default).
# ECS injects PGPASSWORD when a task starts, so after a rotation the running
# tasks still hold the old password and their new connections would fail.
# This rule restarts the service whenever the secret's rotation succeeds:
# EventBridge -> Step Functions -> ecs:UpdateService(forceNewDeployment).

resource "aws_cloudwatch_event_rule" "db_secret_rotated" {
  name        = "${local.name}-db-secret-rotated"
  description = "The RDS-managed database secret of ${local.name} was rotated"

  event_pattern = jsonencode({
    source        = ["aws.secretsmanager"]
    "detail-type" = ["AWS Service Event via CloudTrail"]
    detail = {
      eventSource         = ["secretsmanager.amazonaws.com"]
      eventName           = ["RotationSucceeded"]
      additionalEventData = { SecretId = [local.db_master_secret_arn] }
    }
  })
}

resource "aws_cloudwatch_event_target" "db_secret_rotated" {
  rule     = aws_cloudwatch_event_rule.db_secret_rotated.name
  arn      = aws_sfn_state_machine.redeploy.arn
  role_arn = aws_iam_role.events_redeploy.arn
}

resource "aws_cloudwatch_log_group" "redeploy" {
  name              = "/aws/vendedlogs/states/${local.name}-redeploy"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.logs.arn
}

resource "aws_sfn_state_machine" "redeploy" {
  name     = "${local.name}-redeploy"
  role_arn = aws_iam_role.sfn_redeploy.arn

  definition = jsonencode({
    Comment = "Restart the Cattery tasks so that they read the rotated database password"
    StartAt = "ForceNewDeployment"
    States = {
      ForceNewDeployment = {
        Type     = "Task"
        Resource = "arn:${local.partition}:states:::aws-sdk:ecs:updateService"
        Parameters = {
          Cluster            = aws_ecs_cluster.main.name
          Service            = aws_ecs_service.app.name
          ForceNewDeployment = true
        }
        Retry = [
          {
            ErrorEquals     = ["States.ALL"]
            IntervalSeconds = 30
            MaxAttempts     = 5
            BackoffRate     = 2
          },
        ]
        End = true
      }
    }
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.redeploy.arn}:*"
    include_execution_data = true
    level                  = "ERROR"
  }

  tracing_configuration {
    enabled = true
  }
}

data "aws_iam_policy_document" "sfn_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "sfn_redeploy" {
  name               = "${local.name}-redeploy-sfn"
  assume_role_policy = data.aws_iam_policy_document.sfn_assume.json
}

data "aws_iam_policy_document" "sfn_redeploy" {
  statement {
    sid       = "RestartService"
    actions   = ["ecs:UpdateService"]
    resources = [aws_ecs_service.app.id]
  }

  statement {
    #checkov:skip=CKV_AWS_111:CloudWatch Logs vended log delivery actions do not support resource-level permissions; AWS documents Resource "*" for them.
    #checkov:skip=CKV_AWS_356:Same statement: log delivery and X-Ray trace actions cannot be scoped to a resource.
    sid = "LogsAndTraces"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "sfn_redeploy" {
  name   = "restart-service"
  role   = aws_iam_role.sfn_redeploy.id
  policy = data.aws_iam_policy_document.sfn_redeploy.json
}

data "aws_iam_policy_document" "events_assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "events_redeploy" {
  name               = "${local.name}-redeploy-events"
  assume_role_policy = data.aws_iam_policy_document.events_assume.json
}

data "aws_iam_policy_document" "events_redeploy" {
  statement {
    actions   = ["states:StartExecution"]
    resources = [aws_sfn_state_machine.redeploy.arn]
  }
}

resource "aws_iam_role_policy" "events_redeploy" {
  name   = "start-redeploy"
  role   = aws_iam_role.events_redeploy.id
  policy = data.aws_iam_policy_document.events_redeploy.json
}
