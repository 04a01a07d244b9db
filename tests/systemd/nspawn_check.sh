# SPDX-License-Identifier: ISC
# Sourced by run.sh: whether systemd-nspawn can boot a container here.
# Inside a chroot or an unprivileged container it cannot, and only says
# so in the container's log ("Failed to determine whether the unified
# cgroups hierarchy is used"): run.sh would wait for an init that never
# comes (issue 19).  The paths are arguments, so that a test can hand it
# a missing or fake /sys/fs/cgroup.

NSPAWN_WHERE="run make systemd-test as root on a host or in a VM (or a \
privileged container with systemd's cgroups); the other targets of \
check-all do not need it"

# nspawn_blocker ROOT PROC CGROUP: 0 when nothing stops nspawn, else 1
# with the reason and what to do on stdout.
nspawn_blocker() {
	nb_root=$1 nb_proc=$2 nb_cg=$3
	if [ ! -r "$nb_proc/self/uid_map" ]; then
		echo "no $nb_proc (proc not mounted: a chroot?): $NSPAWN_WHERE"
		return 1
	fi
	# As systemd's running_in_chroot(): unknown (init's root hidden
	# from us, as in some containers) is not a chroot.
	nb_init=$(stat -L -c %d:%i "$nb_proc/1/root" 2>/dev/null) || nb_init=
	if [ -n "$nb_init" ] &&
	    [ "$(stat -L -c %d:%i "$nb_root" 2>/dev/null)" != "$nb_init" ]; then
		echo "inside a chroot ($nb_root is not init's root):" \
		    "$NSPAWN_WHERE"
		return 1
	fi
	if ! awk '$1 == 0 && $2 == 0 { ok = 1 } END { exit !ok }' \
	    "$nb_proc/self/uid_map"; then
		echo "in a user namespace (an unprivileged container): root" \
		    "here is not root on the host; $NSPAWN_WHERE"
		return 1
	fi
	nspawn_cgroup_blocker "$nb_cg"
}

# After systemd's cg_unified(): cgroup2 on CG, or a tmpfs holding a
# cgroup2 "unified" or a cgroup (v1 or v2) "systemd" hierarchy; and
# writable, for the container's cgroup.
nspawn_cgroup_blocker() {
	nb_cg=$1
	if [ ! -d "$nb_cg" ]; then
		echo "no $nb_cg: systemd-nspawn cannot determine whether the" \
		    "unified cgroups hierarchy is used; $NSPAWN_WHERE"
		return 1
	fi
	nb_t=$(stat -f -c %T "$nb_cg")
	case $nb_t in
	cgroup2fs) ;;
	tmpfs)
		case $(stat -f -c %T "$nb_cg/unified" 2>/dev/null)/$(stat -f \
		    -c %T "$nb_cg/systemd" 2>/dev/null) in
		cgroup2fs/*|*/cgroup2fs|*/cgroupfs) ;;
		*)
			echo "$nb_cg is a tmpfs without systemd's cgroup" \
			    "hierarchy (no $nb_cg/unified or $nb_cg/systemd):" \
			    "systemd-nspawn cannot tell which cgroups are" \
			    "in use; $NSPAWN_WHERE"
			return 1 ;;
		esac ;;
	*)
		echo "$nb_cg is $nb_t, not a cgroup filesystem: systemd-nspawn" \
		    "cannot determine whether the unified cgroups hierarchy" \
		    "is used; $NSPAWN_WHERE"
		return 1 ;;
	esac
	if [ ! -w "$nb_cg" ] && [ ! -w "$nb_cg/unified" ] &&
	    [ ! -w "$nb_cg/systemd" ]; then
		echo "$nb_cg is read-only (cgroups not delegated to this" \
		    "container): $NSPAWN_WHERE"
		return 1
	fi
	return 0
}
