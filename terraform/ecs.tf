# The Cattery service on ECS Fargate: stateless replicas in the private
# subnets, behind the load balancer, scaled on CPU.

locals {
  container_name = "cattery"
  data_dir       = "/var/lib/cattery"
  rds_ca_bundle  = "/usr/local/share/cattery/rds-global-bundle.pem"

  # Only variables the binary understands (see docs/DEPLOYMENT.md).
  app_environment = concat(
    [
      { name = "CATTERY_LISTEN", value = "0.0.0.0:${var.container_port}" },
      { name = "CATTERY_LOG_FORMAT", value = "json" },
      { name = "RUST_LOG", value = var.rust_log },
      # Migrations run as a one-off task before a deployment, never from
      # several replicas at once.
      { name = "CATTERY_MIGRATE", value = "false" },
      { name = "CATTERY_INTROSPECTION", value = tostring(var.graphql_introspection) },
      { name = "CATTERY_PUBLIC_URL", value = local.public_url },
      { name = "CATTERY_DATA_DIR", value = local.data_dir },
      { name = "CATTERY_DB_MAX_CONNECTIONS", value = tostring(var.db_max_connections_per_task) },
      { name = "PGHOST", value = aws_db_instance.main.address },
      { name = "PGPORT", value = tostring(aws_db_instance.main.port) },
      { name = "PGUSER", value = var.db_username },
      { name = "PGDATABASE", value = var.db_name },
      { name = "PGSSLMODE", value = var.db_sslmode },
      { name = "PGSSLROOTCERT", value = local.rds_ca_bundle },
      { name = "S3_BUCKET_NAME", value = aws_s3_bucket.photos.id },
      { name = "AWS_REGION", value = local.region },
    ],
    length(var.cors_allowed_origins) > 0 ? [
      { name = "CATTERY_CORS_ORIGINS", value = join(",", var.cors_allowed_origins) },
    ] : [],
  )
}

resource "aws_ecs_cluster" "main" {
  name = local.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = { Name = local.name }
}

resource "aws_ecs_task_definition" "app" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  # Writable scratch space on an otherwise read-only root filesystem.
  volume {
    name = "tmp"
  }

  volume {
    name = "data"
  }

  container_definitions = jsonencode([
    {
      name      = local.container_name
      image     = "${aws_ecr_repository.app.repository_url}:${var.image_tag}"
      essential = true
      command   = ["serve"]

      portMappings = [
        { containerPort = var.container_port, protocol = "tcp" },
      ]

      environment = local.app_environment

      # The RDS-managed secret is JSON {"username","password"}; only the
      # password is injected, at task start.
      secrets = [
        { name = "PGPASSWORD", valueFrom = "${local.db_master_secret_arn}:password::" },
      ]

      readonlyRootFilesystem = true
      privileged             = false
      linuxParameters = {
        capabilities = { drop = ["ALL"] }
      }

      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false },
        { sourceVolume = "data", containerPath = local.data_dir, readOnly = false },
      ]

      healthCheck = {
        command     = ["CMD", "curl", "-fsS", "http://127.0.0.1:${var.container_port}/healthz"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 20
      }

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.app.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "app"
        }
      }

      stopTimeout = 30
    },
  ])

  tags = { Name = local.name }
}

resource "aws_security_group" "app" {
  name        = "${local.name}-app"
  description = "Cattery tasks: HTTP from the load balancer, out to AWS APIs and PostgreSQL"
  vpc_id      = aws_vpc.main.id

  tags = { Name = "${local.name}-app" }
}

resource "aws_vpc_security_group_ingress_rule" "app_from_alb" {
  security_group_id            = aws_security_group.app.id
  description                  = "HTTP from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "app_https" {
  security_group_id = aws_security_group.app.id
  description       = "HTTPS to AWS APIs (S3, ECR, Secrets Manager, CloudWatch Logs)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "app_to_rds" {
  security_group_id            = aws_security_group.app.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = var.db_port
  to_port                      = var.db_port
  referenced_security_group_id = aws_security_group.rds.id
}

resource "aws_ecs_service" "app" {
  name             = var.project
  cluster          = aws_ecs_cluster.main.id
  task_definition  = aws_ecs_task_definition.app.arn
  desired_count    = var.app_min_count
  launch_type      = "FARGATE"
  platform_version = "LATEST"

  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = aws_subnet.private[*].id
    security_groups  = [aws_security_group.app.id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.app.arn
    container_name   = local.container_name
    container_port   = var.container_port
  }

  lifecycle {
    # Autoscaling owns the running count.
    ignore_changes = [desired_count]
  }

  depends_on = [
    aws_lb_listener.https,
    aws_lb_listener.http,
    aws_iam_role_policy.execution,
  ]
}

# ---------------------------------------------------------------------------
# Autoscaling on CPU
# ---------------------------------------------------------------------------

resource "aws_appautoscaling_target" "app" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.main.name}/${aws_ecs_service.app.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.app_min_count
  max_capacity       = var.app_max_count
}

resource "aws_appautoscaling_policy" "app_cpu" {
  name               = "${local.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.app_cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
