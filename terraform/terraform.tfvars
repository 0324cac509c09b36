# Example values. No secrets belong here: the database password is generated
# and kept by RDS in Secrets Manager.

aws_region  = "ap-northeast-1"
project     = "cattery"
environment = "prod"

vpc_cidr           = "10.0.0.0/16"
availability_zones = ["ap-northeast-1a", "ap-northeast-1c"]
nat_gateway_per_az = true

db_engine_version        = "16.3"
db_instance_class        = "db.t3.micro"
db_allocated_storage     = 20
db_storage_type          = "gp2"
db_backup_retention_days = 7
db_multi_az              = true
db_name                  = "cattery"
db_username              = "cattery"

cors_allowed_origins = ["https://cattery.example.com"]

photo_noncurrent_version_expiration_days = 30
abandoned_upload_expiration_days         = 2

image_tag     = "0.1.0"
app_min_count = 2
app_max_count = 6

# Set both once a domain and an ACM certificate in this region exist:
# certificate_arn = "arn:aws:acm:ap-northeast-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
# public_url      = "https://api.cattery.example.com"

alarm_email = "ops@example.com"

tags = {
  Owner = "cattery-team"
}
