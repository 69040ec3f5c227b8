"""kit's local ``awsglue``: the AWS Glue 5.0 Python API on plain PySpark.

Only importable where kit puts ``kit/runtime/glue_layer`` on the path (``kit run``, the local
kernel, the pytest plugin), so it never shadows the real library on Glue. As on Glue, the
package itself exports ``DynamicFrame`` (Glue Studio scripts do ``from awsglue import
DynamicFrame``).
"""

from awsglue.dynamicframe import DynamicFrame

__version__ = "5.0.local"
__all__ = ["DynamicFrame"]
