import pulumi_aws as aws

aws.s3.Bucket("same")
aws.s3.Bucket("same")
