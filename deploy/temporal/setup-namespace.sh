#!/bin/sh
# The "temporal-setup" one-shot (temporalio/admin-tools): waits until the Temporal cluster answers, creates the
# incidents namespace when it does not exist yet, and waits until the namespace can take search attributes. The
# "search-attributes" one-shot (our image) then registers the product's six search attributes. Safe to repeat.
set -eu

address=${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS is not set}
namespace=${NAMESPACE:?NAMESPACE is not set}
# How long Temporal keeps a closed incident's workflow (its history, and queries on it). The incident records in the
# product's store are kept regardless. Changing it later: temporal operator namespace update --retention ...
retention=${NAMESPACE_RETENTION:-720h}
attempts=${SETUP_ATTEMPTS:-60}

wait_for() {
  what=$1
  shift
  i=1
  until "$@" >/dev/null 2>&1; do
    if [ "$i" -ge "$attempts" ]; then
      echo "temporal-setup: gave up waiting for $what after $attempts attempts; the last try said:" >&2
      "$@" >&2 || true
      exit 1
    fi
    i=$((i + 1))
    sleep 2
  done
}

echo "temporal-setup: waiting for the cluster at $address"
wait_for "the cluster" temporal operator cluster health --address "$address"

if temporal operator namespace describe --namespace "$namespace" --address "$address" >/dev/null 2>&1; then
  echo "temporal-setup: namespace $namespace exists"
else
  echo "temporal-setup: creating namespace $namespace (retention $retention)"
  temporal operator namespace create --namespace "$namespace" --retention "$retention" --address "$address"
fi

# A new namespace reaches every frontend's cache within seconds; until then the operator API may not find it.
wait_for "namespace $namespace" temporal operator search-attribute list --namespace "$namespace" --address "$address"
echo "temporal-setup: namespace $namespace is ready"
