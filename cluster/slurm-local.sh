#!/usr/bin/env bash
# A Slurm cluster on this machine only, for tests and trials: munged, slurmctld and three slurmd nodes (n1..n3,
# Slurm's MULTIPLE_SLURMD mode: one slurmd per node name on 127.0.0.1, each on its own port), all under DIR with
# their own config, state and logs. Debian 12: apt-get install slurm-wlm munge.
#
#   cluster/slurm-local.sh start DIR [SECONDS]   start it (stopped after SECONDS, default 1800, whatever happens)
#   cluster/slurm-local.sh stop DIR              stop every daemon it started
#   cluster/slurm-local.sh env DIR               the line to source: export SLURM_CONF=DIR/slurm.conf
#
# Needs root (slurmd runs jobs as their user). Ports are taken from what is free at start.
set -euo pipefail
command=${1:?usage: slurm-local.sh start|stop|env DIR [SECONDS]}
dir=$(realpath -m "${2:?usage: slurm-local.sh start|stop|env DIR [SECONDS]}")
limit=${3:-1800}
nodes=(n1 n2 n3)

# A port nothing listens on (a connection to it is refused), drawn from 20000-59999; not one handed out before.
taken=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    case "$taken" in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then taken="$taken$port "; echo "$port"; return; fi
  done
}

stop() {
  for pidfile in "$dir"/slurmd.*.pid "$dir"/slurmctld.pid "$dir"/munge/munged.pid "$dir"/watchdog.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  sleep 1
  # Whatever did not stop on TERM, and the job steps the nodes started.
  for pidfile in "$dir"/slurmd.*.pid "$dir"/slurmctld.pid "$dir"/munge/munged.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  pkill -9 -f "slurmstepd.*$dir" 2>/dev/null || true
  pkill -9 -f -- "-f $dir/slurm.conf" 2>/dev/null || true
}

case "$command" in
  env) echo "export SLURM_CONF=$dir/slurm.conf"; exit 0 ;;
  stop) stop; exit 0 ;;
  start) ;;
  *) echo "slurm-local.sh: unknown command $command (start, stop, env)" >&2; exit 2 ;;
esac

for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "slurm-local.sh: $tool not found (Debian: apt-get install slurm-wlm munge)" >&2; exit 1; }
done
mkdir -p "$dir/munge" "$dir/state" "$dir/spool"
chmod 700 "$dir/munge"
dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$dir/munge/munge.key"
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"

ctld_port=$(free_port)
{
  cat <<CONF
ClusterName=mattekit-local
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=10
SlurmctldTimeout=10
MessageTimeout=5
InactiveLimit=0
KillWait=5
MinJobAge=600
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
CONF
  for node in "${nodes[@]}"; do
    echo "NodeName=$node NodeHostname=localhost NodeAddr=127.0.0.1 Port=$(free_port) CPUs=1 RealMemory=2000 State=UNKNOWN"
  done
  echo "PartitionName=main Nodes=$(IFS=,; echo "${nodes[*]}") Default=YES MaxTime=INFINITE State=UP"
} > "$dir/slurm.conf"
echo 'ConstrainCores=no' > "$dir/cgroup.conf"

slurmctld -f "$dir/slurm.conf" -c
for node in "${nodes[@]}"; do
  mkdir -p "$dir/spool/$node"
  slurmd -f "$dir/slurm.conf" -N "$node"
done
# Stopped after $limit seconds whatever happens to the caller.
( sleep "$limit"; "$0" stop "$dir" ) >/dev/null 2>&1 &
echo $! > "$dir/watchdog.pid"

export SLURM_CONF="$dir/slurm.conf"
for _ in $(seq 1 60); do
  idle=$(sinfo -h -N -o '%N %t' 2>/dev/null | grep -c 'idle' || true)
  [ "$idle" -ge ${#nodes[@]} ] && { echo "export SLURM_CONF=$dir/slurm.conf"; exit 0; }
  sleep 0.5
done
echo "slurm-local.sh: the nodes did not come up in 30 s; see $dir/*.log" >&2
sinfo -N >&2 || true
stop
exit 1
