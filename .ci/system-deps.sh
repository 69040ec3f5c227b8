#!/usr/bin/env bash
# System packages the test suite needs beyond Python and Java, installed only when missing.
set -euo pipefail
# chromium: the JupyterLab browser test (driven by Playwright, never a downloaded browser).
# libkrb5-dev: sparkmagic builds gssapi. openssh: the SSH-tunnel test runs a throwaway sshd.
# postgresql: the JDBC/Redshift tests start a throwaway cluster of their own (never the default
# one); libpostgresql-jdbc-java, libmariadb-java: the JDBC drivers kit puts on Spark's classpath.
# graphviz: `kit graph` lays the project out with dot.
need=(chromium libkrb5-dev openssh-server openssh-client postgresql libpostgresql-jdbc-java libmariadb-java graphviz)
command -v java >/dev/null 2>&1 || { echo "Java not found: Spark needs Java 17; install it with: sudo apt-get install -y openjdk-17-jre-headless" >&2; exit 1; }
[ -n "${KIT_APT_PACKAGES:-}" ] && need+=(${KIT_APT_PACKAGES})
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
missing=()
for pkg in "${need[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing system packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
