package main

import "github.com/mpgate/mpgate/checkrun"

// The analysis cache lives in checkrun; serve.go still calls it by these
// names.
var (
	openCache     = checkrun.OpenCache
	cachedAnalyze = checkrun.Cached
)
