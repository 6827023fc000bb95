// Linked into the static hook only. libdbus-1.a's server side
// (_dbus_listen_systemd_sockets, for a bus daemon started by socket activation)
// names two libsystemd functions; there is no static libsystemd, and the hook
// is a client that never listens. These inert definitions satisfy the linker:
// "no sockets passed", "not a socket". Nothing in the hook reaches them.
extern "C" {

int sd_listen_fds(int unset_environment) {
    (void)unset_environment;
    return 0;
}

int sd_is_socket(int fd, int family, int type, int listening) {
    (void)fd;
    (void)family;
    (void)type;
    (void)listening;
    return 0;
}
}
