"""getResolvedOptions with an abbreviated name: Glue 5.x accepts it, 6.0 only with allow_abbrev."""

import sys

from awsglue.utils import getResolvedOptions

if "--allow" in sys.argv:
    args = getResolvedOptions(sys.argv, ["output_path"], allow_abbrev=True)
else:
    args = getResolvedOptions(sys.argv, ["output_path"])
print("output_path=" + args["output_path"])
