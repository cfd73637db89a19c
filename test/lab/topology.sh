# Lab topology shared by lab.sh (this machine) and hosts.sh (wherever the hosts run).
# Sourced, not executed.

# Host name = ssh alias. Order fixes the management address (10.99.0.11 ...) and veth names.
LAB_HOSTS=(nat-director real1 real2 director1 director2 web1 web2 nfs client)

declare -A LAB_PORT=(
  [nat-director]=2201 [real1]=2202 [real2]=2203 [director1]=2204 [director2]=2205
  [web1]=2206 [web2]=2207 [nfs]=2208 [client]=2209
)
LAB_CONTROL_PORT=2200 # VM tier only: sshd in the guest's root namespace

# Lab links per host: "<net>:<ifname>:<address/prefix>". Every host also gets mgmt0 on the
# management bridge (sshd is reached through it).
declare -A LAB_LINKS=(
  [nat-director]="c60:eth0:172.16.60.22/24 r60:eth1:192.168.60.1/24"
  [real1]="r60:eth0:192.168.60.99/24"
  [real2]="r60:eth0:192.168.60.40/24"
  [director1]="w11:eth0:10.18.11.11/24"
  [director2]="w11:eth0:10.18.11.12/24"
  [web1]="w11:eth0:10.18.11.21/24"
  [web2]="w11:eth0:10.18.11.22/24"
  [nfs]="w11:eth0:10.18.11.30/24"
  [client]="c60:eth0:172.16.60.100/24 w11:eth1:10.18.11.100/24"
)
declare -A LAB_DEFAULT_ROUTE=([real1]=192.168.60.1 [real2]=192.168.60.1)

# Bridges, named after the subnets they carry.
declare -A LAB_BRIDGE=([mgmt]=lvlab-mgmt [c60]=lvlab-c60 [r60]=lvlab-r60 [w11]=lvlab-w11)
LAB_MGMT_NET=10.99.0
LAB_MGMT_GW=10.99.0.1

NAT_VIP=172.16.60.22
DR_VIP=10.18.11.40

# Aliases reached through a jump host: alias -> "jump host-address".
declare -A LAB_JUMP=([real1-via-jump]="nat-director 192.168.60.99" [web2-via-jump]="director1 10.18.11.22")

lab_index() { # host -> 1..9
  local i
  for i in "${!LAB_HOSTS[@]}"; do
    [[ ${LAB_HOSTS[$i]} == "$1" ]] && { echo $((i + 1)); return; }
  done
  echo "unknown lab host: $1" >&2
  return 1
}
lab_mgmt_ip() { echo "$LAB_MGMT_NET.$((10 + $(lab_index "$1")))"; }
lab_netns() { echo "lvlab-$1"; }
