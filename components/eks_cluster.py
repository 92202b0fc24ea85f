"""An EKS cluster per region: IAM, secrets encryption, OIDC for IRSA, the node role, and a
Kubernetes provider built from the cluster's own outputs."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
from pydantic import BaseModel, ConfigDict

from components.settings import Kubernetes

ASSUME_EC2 = {"Service": "ec2.amazonaws.com"}
ASSUME_EKS = {"Service": "eks.amazonaws.com"}
MANAGED = "arn:aws:iam::aws:policy/"
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonSSMManagedInstanceCore",  # Session Manager instead of SSH: no port 22 anywhere
)
VPC_CNI_VALUES = {"enableNetworkPolicy": "true"}


def assume_role_policy(principal: dict[str, str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        }
    )


class EksClusterArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    cluster_name: str
    region: str
    kubernetes: Kubernetes
    subnet_ids: list[Any]  # private subnets (Outputs)
    vpc_id: Any
    vpc_cidr: str


class EksCluster(pulumi.ComponentResource):
    """`name`, `endpoint`, `certificate_authority`, `oidc_provider_arn`, `oidc_issuer`,
    `node_role`, `node_instance_profile`, `node_security_group_id`,
    `cluster_security_group_id` (the group EKS creates; on the API endpoint's network interfaces,
    not on the self-managed nodes) and `k8s_provider`."""

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("aeon:index:EksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        kube = args.kubernetes

        role = aws.iam.Role(
            f"{name}-cluster", assume_role_policy=assume_role_policy(ASSUME_EKS), opts=child
        )
        attach = aws.iam.RolePolicyAttachment(
            f"{name}-cluster",
            role=role.name,
            policy_arn=MANAGED + "AmazonEKSClusterPolicy",
            opts=pulumi.ResourceOptions(parent=role),
        )
        secrets_key = aws.kms.Key(
            f"{name}-secrets",
            description=f"envelope encryption of Kubernetes secrets in {args.cluster_name}",
            enable_key_rotation=True,
            deletion_window_in_days=kube.secrets_key_deletion_days,
            opts=child,
        )
        # Nodes and the control plane's ENIs share this group: open within the VPC only. Rules
        # are separate resources only: inline rules would drop any rule resource (the load
        # balancer's node port) on the next update.
        self.node_security_group = aws.ec2.SecurityGroup(
            f"{name}-nodes",
            vpc_id=args.vpc_id,
            description=f"nodes and control plane of {args.cluster_name}; VPC-internal only",
            tags={"Name": f"{args.cluster_name}-nodes",
                  f"kubernetes.io/cluster/{args.cluster_name}": "owned"},
            opts=child,
        )  # fmt: skip
        group = pulumi.ResourceOptions(parent=self.node_security_group)
        sg_id = self.node_security_group.id
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-nodes-self", security_group_id=sg_id, ip_protocol="-1",
            referenced_security_group_id=sg_id, description="node to node", opts=group,
        )  # fmt: skip
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-nodes-vpc", security_group_id=sg_id, ip_protocol="-1",
            cidr_ipv4=args.vpc_cidr, description="from the VPC (control plane, load balancers)",
            opts=group,
        )  # fmt: skip
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-nodes-egress", security_group_id=sg_id, ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0", description="to anywhere (through NAT)", opts=group,
        )  # fmt: skip
        public = bool(kube.endpoint_public_access_cidrs)
        self.cluster = aws.eks.Cluster(
            name,
            name=args.cluster_name,
            version=kube.version,
            role_arn=role.arn,
            vpc_config={
                "subnet_ids": args.subnet_ids,
                "security_group_ids": [self.node_security_group.id],
                "endpoint_private_access": True,
                # Private unless CIDRs are listed: never open to 0.0.0.0/0.
                "endpoint_public_access": public,
                **({"public_access_cidrs": kube.endpoint_public_access_cidrs} if public else {}),
            },
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            encryption_config={"resources": ["secrets"], "provider": {"key_arn": secrets_key.arn}},
            kubernetes_network_config={"service_ipv4_cidr": kube.service_cidr},
            enabled_cluster_log_types=list(kube.control_plane_logs),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attach]),
        )
        self.name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        self.certificate_authority = self.cluster.certificate_authority.data
        self.node_security_group_id = self.node_security_group.id
        self.cluster_security_group_id = self.cluster.vpc_config.cluster_security_group_id
        self.oidc_issuer = self.cluster.identities[0].oidcs[0].issuer

        # IRSA: pods assume IAM roles through the cluster's OIDC issuer.
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=self.oidc_issuer, client_id_lists=["sts.amazonaws.com"], opts=child
        )

        self.node_role = aws.iam.Role(
            f"{name}-node", assume_role_policy=assume_role_policy(ASSUME_EC2), opts=child
        )
        for policy in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=self.node_role.name,
                policy_arn=MANAGED + policy,
                opts=pulumi.ResourceOptions(parent=self.node_role),
            )
        self.node_instance_profile = aws.iam.InstanceProfile(
            f"{name}-node", role=self.node_role.name, opts=child
        )
        # Nodes of self-managed groups join through an access entry (authentication mode API).
        aws.eks.AccessEntry(
            f"{name}-node",
            cluster_name=self.cluster.name,
            principal_arn=self.node_role.arn,
            type="EC2_LINUX",
            opts=child,
        )

        # The EBS CSI driver provisions the gp3/st1 volumes of the storage classes.
        csi_role = self.service_account_role(
            f"{name}-ebs-csi", "kube-system", "ebs-csi-controller-sa",
            managed_policies=["service-role/AmazonEBSCSIDriverPolicy"],
        )  # fmt: skip
        aws.eks.Addon(
            f"{name}-ebs-csi",
            cluster_name=self.cluster.name,
            addon_name="aws-ebs-csi-driver",
            service_account_role_arn=csi_role.arn,
            opts=child,
        )

        # NetworkPolicies are enforced only by the VPC CNI's network policy agent, which is off
        # until the add-on's `enableNetworkPolicy` (a string in the aws-vpc-cni chart's values)
        # is "true". EKS installs aws-node self-managed on every new cluster: OVERWRITE lets the
        # add-on take it over on create, and puts our values back over any drift on update.
        aws.eks.Addon(
            f"{name}-vpc-cni",
            cluster_name=self.cluster.name,
            addon_name="vpc-cni",
            configuration_values=json.dumps(VPC_CNI_VALUES),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=child,
        )

        kubeconfig = pulumi.Output.all(
            self.cluster.name, self.endpoint, self.certificate_authority
        ).apply(lambda v: _kubeconfig(v[0], v[1], v[2], args.region))
        self.k8s_provider = k8s.Provider(f"{name}-k8s", kubeconfig=kubeconfig, opts=child)

        self.register_outputs(
            {
                "name": self.name,
                "endpoint": self.endpoint,
                "oidc_provider_arn": self.oidc_provider.arn,
            }
        )

    def service_account_role(
        self,
        name: str,
        namespace: str,
        service_account: str,
        *,
        statements: Any = None,  # a list of IAM statements, or an Output of one
        managed_policies: list[str] | None = None,
        parent: pulumi.Resource | None = None,
    ) -> aws.iam.Role:
        """An IAM role that only `namespace/service_account` of this cluster can assume (IRSA)."""
        opts = pulumi.ResourceOptions(parent=parent or self)
        trust = pulumi.Output.all(self.oidc_provider.arn, self.oidc_issuer).apply(
            lambda v: _irsa_trust(v[0], v[1], namespace, service_account)
        )
        role = aws.iam.Role(name, assume_role_policy=trust, opts=opts)
        within = pulumi.ResourceOptions(parent=role)
        if statements is not None:
            aws.iam.RolePolicy(
                name,
                role=role.name,
                policy=pulumi.Output.from_input(
                    {"Version": "2012-10-17", "Statement": statements}
                ).apply(json.dumps),
                opts=within,
            )
        for policy in managed_policies or []:
            aws.iam.RolePolicyAttachment(
                f"{name}-{policy.rsplit('/', 1)[-1]}", role=role.name, policy_arn=MANAGED + policy,
                opts=within,
            )  # fmt: skip
        return role


def _irsa_trust(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    host = issuer.removeprefix("https://")
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": provider_arn},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {
                            f"{host}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                            f"{host}:aud": "sts.amazonaws.com",
                        }
                    },
                }
            ],
        }
    )


def _kubeconfig(name: str, endpoint: str, ca: str, region: str) -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca}}
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                name,
                                "--region",
                                region,
                            ],
                        }
                    },
                }
            ],
        }
    )
