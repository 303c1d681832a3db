package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/mpgate/mpgate/bot/build"
)

// Kind is the server's choice of sandbox (--build-sandbox).
type Kind string

// Kinds of sandbox.
const (
	// KindAuto uses bubblewrap when it works and otherwise runs no build
	// it does not trust (the default).
	KindAuto Kind = "auto"
	// KindBwrap is bubblewrap or no start.
	KindBwrap Kind = "bwrap"
	// KindContainer runs builds with a container runtime (Container).
	KindContainer Kind = "container"
)

// String makes Kind a flag.Value.
func (k *Kind) String() string { return string(*k) }

// Set parses a kind.
func (k *Kind) Set(s string) error {
	switch v := Kind(s); v {
	case KindAuto, KindBwrap, KindContainer:
		*k = v
		return nil
	}
	return fmt.Errorf("sandbox %q: want auto, bwrap or container", s)
}

// ErrChosen is the error of Select when the sandbox it was told to use
// does not work or is misconfigured: the server must not start.
var ErrChosen = errors.New("the chosen build sandbox cannot be used")

// Choice is what the server was told to use.
type Choice struct {
	Kind Kind // "" is KindAuto
	// Image and Runtime are the container's (KindContainer only).
	Image, Runtime string
	// Detect finds bubblewrap (Detect when nil).
	Detect func(ctx context.Context) (build.Wrapper, string, error)
}

// Select returns the wrapper c chooses and a description for the start-up
// log. For KindAuto a failure of bubblewrap is Detect's (Unavailable and
// an error matching ErrUnavailable: the server starts and refuses
// untrusted builds); every other error matches ErrChosen and should stop
// the start.
func Select(ctx context.Context, c Choice) (build.Wrapper, string, error) {
	detect := c.Detect
	if detect == nil {
		detect = Detect
	}
	switch c.Kind {
	case KindAuto, "":
		if c.Image != "" || c.Runtime != "" {
			return nil, "", fmt.Errorf("%w: --build-image and --build-runtime need --build-sandbox container", ErrChosen)
		}
		return detect(ctx)
	case KindBwrap:
		if c.Image != "" || c.Runtime != "" {
			return nil, "", fmt.Errorf("%w: --build-image and --build-runtime need --build-sandbox container", ErrChosen)
		}
		w, desc, err := detect(ctx)
		if err != nil {
			return nil, "", fmt.Errorf("%w: --build-sandbox bwrap: %w", ErrChosen, err)
		}
		return w, desc, nil
	case KindContainer:
		ct, desc, err := NewContainer(ctx, c.Runtime, c.Image)
		if err != nil {
			return nil, "", fmt.Errorf("%w: --build-sandbox container: %w", ErrChosen, err)
		}
		return ct, desc, nil
	}
	return nil, "", fmt.Errorf("%w: sandbox %q: want auto, bwrap or container", ErrChosen, c.Kind)
}

// NewContainer checks a container sandbox's settings: an image, and a
// runtime ("" is docker) found in PATH or at its path. It does not pull
// the image or reach the runtime's daemon: a build that cannot start its
// container fails with the runtime's message.
func NewContainer(ctx context.Context, runtime, image string) (*Container, string, error) {
	if strings.TrimSpace(image) == "" {
		return nil, "", errors.New("no image: set --build-image (an image with node and npm, e.g. node:22-bookworm)")
	}
	if strings.HasPrefix(image, "-") {
		return nil, "", fmt.Errorf("image %q looks like an option", image)
	}
	rt := runtime
	if rt == "" {
		rt = "docker"
	}
	path, err := exec.LookPath(rt)
	if err != nil {
		return nil, "", fmt.Errorf("runtime %s not found: install Docker or (better, rootless) Podman, or name it with --build-runtime: %w", rt, err)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.WaitDelay = time.Second
	out, _ := cmd.Output()
	v := strings.TrimSpace(string(out))
	desc := path
	if v != "" && !strings.ContainsAny(v, "\n\r") {
		desc = v + " (" + path + ")"
	}
	return &Container{Runtime: path, Image: image}, desc + ", image " + image, nil
}
