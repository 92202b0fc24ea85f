import pulumi
import pulumi_aws as aws


class Inner(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("pkg:index:Inner", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"bucket": self.bucket.bucket})


class Outer(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("pkg:index:Outer", name, None, opts)
        self.provider = aws.Provider(
            "west", region="us-west-2", opts=pulumi.ResourceOptions(parent=self)
        )
        self.vpc = aws.ec2.Vpc(
            "vpc",
            cidr_block="10.0.0.0/16",
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.subnet = aws.ec2.Subnet(
            "subnet",
            vpc_id=self.vpc.id,
            cidr_block="10.0.1.0/24",
            opts=pulumi.ResourceOptions(parent=self.vpc, provider=self.provider),
        )
        self.inner = Inner("inner", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})


outer = Outer("outer")
pulumi.export("vpc_id", outer.vpc.id)
pulumi.export("bucket", outer.inner.bucket.bucket)
