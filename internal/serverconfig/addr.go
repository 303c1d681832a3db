package serverconfig

import "fmt"

// DefaultAddr is serve's listen address when nothing sets one.
const DefaultAddr = "127.0.0.1:8080"

// ListenAddr is serve's listen address found as serve finds it: addr (the
// flag), else MPGATE_ADDR, else the addr of the config file (file, else
// MPGATE_CONFIG), else DefaultAddr. An unreadable or invalid file is an
// error that starts with "--config: ".
func ListenAddr(addr, file string, getenv func(string) string) (string, error) {
	if addr == "" {
		addr = getenv("MPGATE_ADDR")
	}
	if file == "" {
		file = getenv("MPGATE_CONFIG")
	}
	if addr == "" && file != "" {
		// serve's order: the flag, the environment, then the file.
		cfg, err := Load(file)
		if err != nil {
			return "", fmt.Errorf("--config: %w", err)
		}
		addr = cfg.Settings["addr"]
	}
	if addr == "" {
		addr = DefaultAddr
	}
	return addr, nil
}
