package apiclient

// JSON returns the CreateApiTokenDto exactly as CreateAPIToken sends it (as
// the whole body, or as the "token" part next to an icon), for showing a
// request before it is sent. It carries no credential.
func (r *CreateAPITokenRequest) JSON() ([]byte, error) {
	plain := *r
	plain.Icon = nil
	body, _, err := encodeCreateBody(&plain)
	return body, err
}
