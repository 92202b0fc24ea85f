"""Shared facts every layer may import: components, optimizers, the CLI (and tests).

Pulumi-free and importing no layer (tests/test_layers.py checks it), so reading a fact never loads
the Pulumi SDK. The policy pack keeps its own copies (it runs in its own virtualenv and imports
nothing from the repo); tests/test_policy_facts_contract.py keeps them equal to these.

- `project`: the Pulumi project name (the stack config's key namespace)
- `regions`: the commercial AWS region codes
- `roles`: the pool roles
- `tags`: the tag keys every resource or pool carries
- `s3`: S3 lifecycle rules (allowed transitions, minimum durations and sizes)
- `eks`: the EKS Kubernetes version calendar (end of standard and extended support)
- `gpus`: what each GPU model can do (datasheet figures)
- `catalog`: EC2 instance specs and offerings from moto's packaged DescribeInstanceTypes data
- `triton_images`: which Triton image flavour serves which backend, from an image reference
"""
