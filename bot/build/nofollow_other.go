//go:build !unix

package build

const oNoFollow = 0
