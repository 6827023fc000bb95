#!/usr/bin/env bash
# The CRI-O suite inside the node VM (make test-crio-node; part of make test): the node
# suite (tests/node/run.sh) with NODE_CRIO=1, which builds CRI-O on the host (cached),
# ships it through the share, and runs only the CRI-O case (suite/cases/40-crio.sh)
# unless NODE_ONLY says otherwise. A separate suite because under qemu without KVM it
# takes several minutes (docs/DECISIONS.md). NODE_TIMEOUT defaults to 2400 s here.
# WP_CRIO_ONLY (a regex of the CRI-O suite's case names; "" for all) is passed into the VM;
# unset, the VM runs the cases suite/cases/40-crio.sh names.
export NODE_CRIO=1
export NODE_ONLY=${NODE_ONLY:-^CRI-O}
export NODE_TIMEOUT=${NODE_TIMEOUT:-2400}
export NODE_MEMORY=${NODE_MEMORY:-3072}
exec "$(dirname "${BASH_SOURCE[0]}")/run.sh" "$@"
