// Package console serves the "Add API token" wizard over SSH, so a team can
// create tokens from any terminal without installing anything.
//
// The server holds the Marketplace API credentials; people who connect never
// see them. Who may enter is an OpenSSH authorized_keys file (public keys
// only), re-read when it changes and checked as sshd's StrictModes do. Each
// session runs its own wizard ([ui.New]) with its own renderer, colour
// profile and window size; the console only wires I/O, identity, limits and
// the audit log.
//
// No client can make the server hold much: terminal sizes are cut to
// [MaxColumns]×[MaxRows], env requests are capped, connections still in
// their handshake are bounded ([Config.MaxUnauthenticated]) with a short
// deadline, and nothing is forwarded. A session changes only tokens it
// knows are its own, and every change is audited.
package console
