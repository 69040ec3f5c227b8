"""Deployment: CloudFormation templates for jobs, packaging, deploy and drift."""
