/* SPDX-License-Identifier: ISC */
#include <stdlib.h>
#include <strings.h>

#include "sshkeywords.h"

/*
 * Every keyword of OpenSSH 9.2's ssh_config(5), and the old names its
 * readconf.c still takes (ChallengeResponseAuthentication, HostbasedKeyTypes,
 * PubkeyAcceptedKeyTypes), sorted without regard to case for
 * bsearch.  rexec: also taken by rexec's own -o (commands.md).
 */
static const struct sshkw table[] = {
	{ "AddKeysToAgent", KW_IGNORED, false, NULL },
	{ "AddressFamily", KW_ADDRESS_FAMILY, false, NULL },
	{ "BatchMode", KW_IGNORED, true, NULL },
	{ "BindAddress", KW_IGNORED, false, NULL },
	{ "BindInterface", KW_IGNORED, false, NULL },
	{ "CanonicalDomains", KW_IGNORED, false, NULL },
	{ "CanonicalizeFallbackLocal", KW_IGNORED, false, NULL },
	{ "CanonicalizeHostname", KW_IGNORED, false, NULL },
	{ "CanonicalizeMaxDots", KW_IGNORED, false, NULL },
	{ "CanonicalizePermittedCNAMEs", KW_IGNORED, false, NULL },
	{ "CASignatureAlgorithms", KW_IGNORED, false, NULL },
	{ "CertificateFile", KW_IGNORED, false, NULL },
	{ "ChallengeResponseAuthentication", KW_IGNORED, false, NULL },
	{ "CheckHostIP", KW_IGNORED, false, NULL },
	{ "Ciphers", KW_IGNORED, false, NULL },
	{ "ClearAllForwardings", KW_IGNORED, false, NULL },
	{ "Compression", KW_IGNORED, true, NULL },
	{ "ConnectionAttempts", KW_IGNORED, false, NULL },
	{ "ConnectTimeout", KW_CONNECT_TIMEOUT, true, NULL },
	{ "ControlMaster", KW_IGNORED, true, NULL },
	{ "ControlPath", KW_IGNORED, true, NULL },
	{ "ControlPersist", KW_IGNORED, true, NULL },
	{ "DynamicForward", KW_REFUSED, false, "-D" },
	{ "EnableEscapeCommandline", KW_IGNORED, false, NULL },
	{ "EnableSSHKeysign", KW_IGNORED, false, NULL },
	{ "EscapeChar", KW_ESCAPE_CHAR, false, NULL },
	{ "ExitOnForwardFailure", KW_IGNORED, false, NULL },
	{ "FingerprintHash", KW_IGNORED, false, NULL },
	{ "ForkAfterAuthentication", KW_FORK, false, NULL },
	{ "ForwardAgent", KW_IGNORED, true, NULL },
	{ "ForwardX11", KW_IGNORED, true, NULL },
	{ "ForwardX11Timeout", KW_IGNORED, false, NULL },
	{ "ForwardX11Trusted", KW_IGNORED, false, NULL },
	{ "GatewayPorts", KW_GATEWAY_PORTS, false, NULL },
	{ "GlobalKnownHostsFile", KW_IGNORED, true, NULL },
	{ "GSSAPIAuthentication", KW_IGNORED, false, NULL },
	{ "GSSAPIClientIdentity", KW_IGNORED, false, NULL },
	{ "GSSAPIDelegateCredentials", KW_IGNORED, false, NULL },
	{ "GSSAPIKexAlgorithms", KW_IGNORED, false, NULL },
	{ "GSSAPIKeyExchange", KW_IGNORED, false, NULL },
	{ "GSSAPIRenewalForcesRekey", KW_IGNORED, false, NULL },
	{ "GSSAPIServerIdentity", KW_IGNORED, false, NULL },
	{ "GSSAPITrustDns", KW_IGNORED, false, NULL },
	{ "HashKnownHosts", KW_IGNORED, false, NULL },
	{ "Host", KW_IGNORED, false, NULL },
	{ "HostbasedAcceptedAlgorithms", KW_IGNORED, false, NULL },
	{ "HostbasedAuthentication", KW_IGNORED, false, NULL },
	{ "HostbasedKeyTypes", KW_IGNORED, false, NULL },
	{ "HostKeyAlgorithms", KW_IGNORED, false, NULL },
	{ "HostKeyAlias", KW_IGNORED, false, NULL },
	{ "Hostname", KW_HOSTNAME, false, NULL },
	{ "IdentitiesOnly", KW_IGNORED, true, NULL },
	{ "IdentityAgent", KW_IGNORED, false, NULL },
	{ "IdentityFile", KW_IGNORED, false, NULL },
	{ "IgnoreUnknown", KW_IGNORED, false, NULL },
	{ "Include", KW_IGNORED, false, NULL },
	{ "IPQoS", KW_IGNORED, false, NULL },
	{ "KbdInteractiveAuthentication", KW_IGNORED, false, NULL },
	{ "KbdInteractiveDevices", KW_IGNORED, false, NULL },
	{ "KexAlgorithms", KW_IGNORED, false, NULL },
	{ "KnownHostsCommand", KW_IGNORED, false, NULL },
	{ "LocalCommand", KW_IGNORED, false, NULL },
	{ "LocalForward", KW_LOCAL_FORWARD, false, NULL },
	{ "LogLevel", KW_IGNORED, true, NULL },
	{ "LogVerbose", KW_IGNORED, false, NULL },
	{ "MACs", KW_IGNORED, false, NULL },
	{ "Match", KW_IGNORED, false, NULL },
	{ "NoHostAuthenticationForLocalhost", KW_IGNORED, false, NULL },
	{ "NumberOfPasswordPrompts", KW_IGNORED, false, NULL },
	{ "PasswordAuthentication", KW_IGNORED, true, NULL },
	{ "PermitLocalCommand", KW_IGNORED, false, NULL },
	{ "PermitRemoteOpen", KW_IGNORED, false, NULL },
	{ "PKCS11Provider", KW_IGNORED, false, NULL },
	{ "Port", KW_PORT, true, NULL },
	{ "PreferredAuthentications", KW_IGNORED, false, NULL },
	{ "ProxyCommand", KW_IGNORED, false, NULL },
	{ "ProxyJump", KW_REFUSED, false, "-J" },
	{ "ProxyUseFdpass", KW_IGNORED, false, NULL },
	{ "PubkeyAcceptedAlgorithms", KW_IGNORED, false, NULL },
	{ "PubkeyAcceptedKeyTypes", KW_IGNORED, false, NULL },
	{ "PubkeyAuthentication", KW_IGNORED, false, NULL },
	{ "RekeyLimit", KW_IGNORED, false, NULL },
	{ "RemoteCommand", KW_REMOTE_COMMAND, false, NULL },
	{ "RemoteForward", KW_REFUSED, false, "-R" },
	{ "RequestTTY", KW_REQUEST_TTY, false, NULL },
	{ "RequiredRSASize", KW_IGNORED, false, NULL },
	{ "RevokedHostKeys", KW_IGNORED, false, NULL },
	{ "SecurityKeyProvider", KW_IGNORED, false, NULL },
	{ "SendEnv", KW_SENDENV, true, NULL },
	{ "ServerAliveCountMax", KW_IGNORED, true, NULL },
	{ "ServerAliveInterval", KW_IGNORED, true, NULL },
	{ "SessionType", KW_SESSION_TYPE, false, NULL },
	{ "SetEnv", KW_SETENV, false, NULL },
	{ "StdinNull", KW_STDIN_NULL, false, NULL },
	{ "StreamLocalBindMask", KW_IGNORED, false, NULL },
	{ "StreamLocalBindUnlink", KW_IGNORED, false, NULL },
	{ "StrictHostKeyChecking", KW_IGNORED, true, NULL },
	{ "SyslogFacility", KW_IGNORED, false, NULL },
	{ "TCPKeepAlive", KW_IGNORED, false, NULL },
	{ "Tunnel", KW_REFUSED, false, "-w" },
	{ "TunnelDevice", KW_IGNORED, false, NULL },
	{ "UpdateHostKeys", KW_IGNORED, false, NULL },
	{ "User", KW_USER, true, NULL },
	{ "UserKnownHostsFile", KW_IGNORED, true, NULL },
	{ "VerifyHostKeyDNS", KW_IGNORED, false, NULL },
	{ "VisualHostKey", KW_IGNORED, false, NULL },
	{ "XAuthLocation", KW_IGNORED, false, NULL },
};

static int	 by_name(const void *, const void *);

const struct sshkw *
sshkw_find(const char *name)
{
	return bsearch(name, table, sizeof(table) / sizeof(table[0]),
	    sizeof(table[0]), by_name);
}

static int
by_name(const void *key, const void *entry)
{
	return strcasecmp(key, ((const struct sshkw *)entry)->name);
}

const struct sshkw *
sshkw_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}
