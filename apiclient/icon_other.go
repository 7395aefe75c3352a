//go:build !unix

package apiclient

const openNonblock = 0
