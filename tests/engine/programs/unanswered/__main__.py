import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc_output(default=True)
pulumi.export("vpc", vpc.id)
