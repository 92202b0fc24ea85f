"""Global routing: Route 53 latency-based records with HTTPS health checks for the inference
endpoint in every region, and a CloudFront distribution for cacheable responses.

TLS end to end: viewers reach CloudFront over TLS 1.2+ with the stack's own certificate (ACM in
us-east-1, as CloudFront requires) for the CDN name; CloudFront reaches the latency-routed service
domain over HTTPS only (TLS 1.2), where each region's load balancer presents its certificate."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import BaseModel, ConfigDict

from components.inference_endpoint import HTTPS_PORT, validated_certificate
from components.settings import Routing

VIEWER_TLS = "TLSv1.2_2021"  # CloudFront's minimum protocol version for viewers


class GlobalRoutingArgs(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    routing: Routing
    endpoints: dict[str, object]  # region -> InferenceEndpoint
    zone: object  # the stack's hosted zone (aws.route53.Zone)


class GlobalRouting(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: GlobalRoutingArgs, opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__("aeon:index:GlobalRouting", name, None, opts)
        routing = args.routing
        child = pulumi.ResourceOptions(parent=self)
        self.zone = args.zone
        for region, endpoint in args.endpoints.items():
            check = aws.route53.HealthCheck(
                f"{name}-{region}",
                type="HTTPS",
                fqdn=endpoint.dns_name,
                port=HTTPS_PORT,
                resource_path=routing.health_check_path,
                request_interval=routing.health_check_interval_s,
                failure_threshold=routing.health_check_failure_threshold,
                measure_latency=True,
                tags={"Name": f"inference-{region}"},
                opts=child,
            )
            aws.route53.Record(
                f"{name}-{region}",
                zone_id=self.zone.zone_id,
                name=routing.domain,
                type="A",
                set_identifier=region,
                latency_routing_policies=[{"region": region}],
                health_check_id=check.id,
                aliases=[
                    {
                        "name": endpoint.dns_name,
                        "zone_id": endpoint.zone_id,
                        "evaluate_target_health": True,
                    }
                ],
                opts=pulumi.ResourceOptions(parent=check),
            )
        self.distribution = None
        if routing.cdn:
            policy = aws.cloudfront.CachePolicy(
                f"{name}-cacheable",
                comment="cacheable inference responses",
                min_ttl=0,
                default_ttl=routing.cdn_default_ttl_s,
                max_ttl=routing.cdn_max_ttl_s,
                parameters_in_cache_key_and_forwarded_to_origin={
                    "cookies_config": {"cookie_behavior": "none"},
                    "headers_config": {"header_behavior": "none"},
                    "query_strings_config": {"query_string_behavior": "all"},
                    "enable_accept_encoding_gzip": True,
                    "enable_accept_encoding_brotli": True,
                },
                opts=child,
            )
            origin = "latency-routed-inference"
            cdn_name = f"cdn.{routing.domain}"
            certificate = validated_certificate(
                f"{name}-cdn-tls", cdn_name, self.zone.zone_id, child
            )
            self.distribution = aws.cloudfront.Distribution(
                name,
                enabled=True,
                comment=f"cacheable content of {routing.domain}",
                aliases=[cdn_name],
                price_class=routing.cdn_price_class,
                origins=[
                    {
                        "origin_id": origin,
                        "domain_name": routing.domain,
                        "custom_origin_config": {
                            "http_port": 80,
                            "https_port": HTTPS_PORT,
                            "origin_protocol_policy": "https-only",
                            "origin_ssl_protocols": ["TLSv1.2"],
                        },
                    }
                ],
                default_cache_behavior={
                    "target_origin_id": origin,
                    "viewer_protocol_policy": "redirect-to-https",
                    "allowed_methods": ["GET", "HEAD", "OPTIONS"],
                    "cached_methods": ["GET", "HEAD"],
                    "cache_policy_id": policy.id,
                    "compress": True,
                },
                restrictions={"geo_restriction": {"restriction_type": "none"}},
                viewer_certificate={
                    "acm_certificate_arn": certificate.certificate_arn,
                    "ssl_support_method": "sni-only",
                    "minimum_protocol_version": VIEWER_TLS,
                },
                opts=child,
            )
            aws.route53.Record(
                f"{name}-cdn",
                zone_id=self.zone.zone_id,
                name=cdn_name,
                type="A",
                aliases=[{"name": self.distribution.domain_name,
                          "zone_id": self.distribution.hosted_zone_id,
                          "evaluate_target_health": False}],
                opts=pulumi.ResourceOptions(parent=self.distribution),
            )  # fmt: skip
        self.register_outputs(
            {
                "zone_id": self.zone.zone_id,
                "cdn_domain": self.distribution.domain_name if self.distribution else None,
            }
        )
