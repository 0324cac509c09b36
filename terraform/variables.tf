# --- General -------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "ap-northeast-1"
}

variable "project" {
  description = "Project name; prefix of every resource name."
  type        = string
  default     = "cattery"
}

variable "environment" {
  description = "Environment name (prod, staging, ...)."
  type        = string
  default     = "prod"
}

variable "tags" {
  description = "Extra tags for every resource."
  type        = map(string)
  default     = {}
}

# --- Network -------------------------------------------------------------------

variable "vpc_cidr" {
  description = "CIDR block of the VPC (a /16 is split into /24 subnets)."
  type        = string
  default     = "10.0.0.0/16"
}

variable "availability_zones" {
  description = "Availability zones to use (one public and one private subnet each); they must belong to var.aws_region."
  type        = list(string)
  default     = ["ap-northeast-1a", "ap-northeast-1c"]

  validation {
    condition     = length(var.availability_zones) >= 2
    error_message = "Use at least two availability zones (the load balancer and the DB subnet group require it)."
  }
}

variable "nat_gateway_per_az" {
  description = "One NAT gateway per availability zone (true) or a single shared one (false, cheaper, not zone-redundant)."
  type        = bool
  default     = true
}

# --- Database ------------------------------------------------------------------

variable "db_engine_version" {
  description = "PostgreSQL version the instance is created with (RDS applies later minor versions)."
  type        = string
  default     = "16.3"
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t3.micro"
}

variable "db_allocated_storage" {
  description = "Initial storage in GB."
  type        = number
  default     = 20
}

variable "db_max_allocated_storage" {
  description = "Upper limit in GB for storage autoscaling (0 turns it off)."
  type        = number
  default     = 100
}

variable "db_storage_type" {
  description = "RDS storage type."
  type        = string
  default     = "gp2"
}

variable "db_backup_retention_days" {
  description = "Days automated backups are kept."
  type        = number
  default     = 7
}

variable "db_multi_az" {
  description = "Run a standby in a second availability zone."
  type        = bool
  default     = true
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  default     = "cattery"
}

variable "db_username" {
  description = "Master user name; its password is generated and kept by RDS in Secrets Manager."
  type        = string
  default     = "cattery"
}

variable "db_iam_user" {
  description = "Database user the task role may connect as with IAM authentication (rds-db:connect). Create it with `CREATE USER ...; GRANT rds_iam TO ...;`."
  type        = string
  default     = "cattery_app"
}

variable "db_port" {
  description = "PostgreSQL port."
  type        = number
  default     = 5432
}

variable "db_ca_cert_identifier" {
  description = "RDS certificate authority of the instance's server certificate (it is in the RDS global bundle shipped in the image)."
  type        = string
  default     = "rds-ca-rsa2048-g1"
}

variable "db_sslmode" {
  description = "PGSSLMODE of the tasks. verify-full checks the server certificate against the RDS bundle in the image; the server rejects non-TLS connections in any case (rds.force_ssl)."
  type        = string
  default     = "verify-full"

  validation {
    condition     = contains(["require", "verify-ca", "verify-full"], var.db_sslmode)
    error_message = "db_sslmode must be require, verify-ca or verify-full."
  }
}

variable "db_log_min_duration_ms" {
  description = "Statements slower than this many milliseconds are logged."
  type        = number
  default     = 500
}

variable "db_max_connections_per_task" {
  description = "CATTERY_DB_MAX_CONNECTIONS for each task (keep app_max_count times this below the instance's max_connections)."
  type        = number
  default     = 10
}

# --- Photo bucket ------------------------------------------------------------------

variable "photo_bucket_name" {
  description = "Name of the photo bucket; empty means <project>-<environment>-photos-<account id>."
  type        = string
  default     = ""
}

variable "cors_allowed_origins" {
  description = "Frontend origins allowed to PUT and GET photos directly (S3 CORS) and to call the API (CATTERY_CORS_ORIGINS)."
  type        = list(string)
  default     = []
}

variable "photo_noncurrent_version_expiration_days" {
  description = "Days after which overwritten or deleted photo versions are removed."
  type        = number
  default     = 30
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads are aborted."
  type        = number
  default     = 7
}

variable "abandoned_upload_expiration_days" {
  description = "Days after which objects left under uploads/ (abandoned direct uploads) expire."
  type        = number
  default     = 2
}

variable "access_log_retention_days" {
  description = "Days S3 and load balancer access logs are kept."
  type        = number
  default     = 365
}

# --- Service -------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the image in the ECR repository to run (tags are immutable: push a new tag per release)."
  type        = string
  default     = "0.1.0"
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64; must match the pushed image."
  type        = string
  default     = "X86_64"
}

variable "container_port" {
  description = "Port the binary listens on (CATTERY_LISTEN)."
  type        = number
  default     = 8080
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 512
}

variable "task_memory" {
  description = "Fargate task memory in MiB."
  type        = number
  default     = 1024
}

variable "app_min_count" {
  description = "Minimum (and initial) number of tasks."
  type        = number
  default     = 2
}

variable "app_max_count" {
  description = "Maximum number of tasks."
  type        = number
  default     = 6
}

variable "app_cpu_target_percent" {
  description = "Average service CPU that autoscaling keeps the service at."
  type        = number
  default     = 60
}

variable "rust_log" {
  description = "RUST_LOG filter of the tasks."
  type        = string
  default     = "info"
}

variable "graphql_introspection" {
  description = "CATTERY_INTROSPECTION: allow GraphQL schema introspection in production."
  type        = bool
  default     = false
}

variable "public_url" {
  description = "CATTERY_PUBLIC_URL, for example https://cattery.example.com; empty means the load balancer's DNS name."
  type        = string
  default     = ""
}

variable "certificate_arn" {
  description = "ACM certificate ARN for the HTTPS listener; empty serves plain HTTP on port 80 only."
  type        = string
  default     = ""
}

variable "alb_ingress_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "waf_rate_limit_per_5min" {
  description = "Requests one IP may send in 5 minutes before WAF blocks it."
  type        = number
  default     = 2000
}

variable "ecr_keep_images" {
  description = "Number of tagged images kept in the ECR repository."
  type        = number
  default     = 30
}

# --- Logs, monitoring, audit -------------------------------------------------------

variable "log_retention_days" {
  description = "Retention of the CloudWatch Logs groups."
  type        = number
  default     = 365
}

variable "cloudtrail_retention_days" {
  description = "Days CloudTrail log files are kept in S3."
  type        = number
  default     = 365
}

variable "alarm_email" {
  description = "Address subscribed to the alarm topic (confirm the e-mail AWS sends); empty means no subscription."
  type        = string
  default     = ""
}

variable "alarm_rds_cpu_percent" {
  description = "RDS CPU alarm threshold."
  type        = number
  default     = 80
}

variable "alarm_rds_free_storage_gib" {
  description = "RDS free storage alarm threshold in GiB."
  type        = number
  default     = 2
}

variable "alarm_rds_connections" {
  description = "RDS connection count alarm threshold."
  type        = number
  default     = 70
}

variable "alarm_alb_5xx_per_5min" {
  description = "5xx responses in 5 minutes above which the 5xx alarms fire."
  type        = number
  default     = 10
}

variable "alarm_ecs_cpu_percent" {
  description = "ECS service CPU alarm threshold."
  type        = number
  default     = 85
}
