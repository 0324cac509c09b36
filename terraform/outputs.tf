# What the deployment guide exports (docs/DEPLOYMENT.md). No output carries
# the database password: it stays in the RDS-managed secret.

output "aws_region" {
  description = "Region of the deployment (AWS_REGION)."
  value       = local.region
}

output "rds_endpoint" {
  description = "RDS endpoint, host:port."
  value       = aws_db_instance.main.endpoint
}

output "rds_host" {
  description = "RDS host name (PGHOST)."
  value       = aws_db_instance.main.address
}

output "rds_port" {
  description = "PostgreSQL port (PGPORT)."
  value       = aws_db_instance.main.port
}

output "database_name" {
  description = "Database name (PGDATABASE)."
  value       = aws_db_instance.main.db_name
}

output "database_user" {
  description = "Master user name (PGUSER)."
  value       = aws_db_instance.main.username
}

output "database_iam_user" {
  description = "Database user the task role may connect as with IAM authentication."
  value       = var.db_iam_user
}

output "db_secret_arn" {
  description = "ARN of the RDS-managed secret holding {\"username\",\"password\"} (PGPASSWORD is its password key)."
  value       = local.db_master_secret_arn
}

output "database_url_template" {
  description = "DATABASE_URL with the password left as a placeholder: replace {password} with the URL-encoded password from the secret."
  value       = "postgres://${aws_db_instance.main.username}:{password}@${aws_db_instance.main.endpoint}/${aws_db_instance.main.db_name}?sslmode=${var.db_sslmode}"
}

output "s3_bucket_name" {
  description = "Photo bucket (S3_BUCKET_NAME)."
  value       = aws_s3_bucket.photos.id
}

output "access_log_bucket_name" {
  description = "Bucket with S3 server access logs (s3/) and load balancer logs (alb/)."
  value       = aws_s3_bucket.access_logs.id
}

output "ecr_repository_url" {
  description = "Push the cattery image here."
  value       = aws_ecr_repository.app.repository_url
}

output "alb_dns_name" {
  description = "DNS name of the load balancer (point your domain at it)."
  value       = aws_lb.main.dns_name
}

output "public_url" {
  description = "CATTERY_PUBLIC_URL given to the tasks."
  value       = local.public_url
}

output "ecs_cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.main.name
}

output "ecs_service_name" {
  description = "ECS service."
  value       = aws_ecs_service.app.name
}

output "ecs_task_definition_family" {
  description = "Task definition family, also used for one-off tasks such as migrations."
  value       = aws_ecs_task_definition.app.family
}

output "ecs_run_task_network_configuration" {
  description = "--network-configuration for `aws ecs run-task` one-off tasks (migrations) in the private subnets."
  value = jsonencode({
    awsvpcConfiguration = {
      subnets        = aws_subnet.private[*].id
      securityGroups = [aws_security_group.app.id]
      assignPublicIp = "DISABLED"
    }
  })
}

output "app_log_group" {
  description = "CloudWatch Logs group of the tasks."
  value       = aws_cloudwatch_log_group.app.name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}
