package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/mpgate/mpgate/checks/compare"
)

// JobOutputs are what a CI job writes of a result besides the forge's
// check and comment: Before the forge is written (files the job keeps as
// artifacts: the JSON result, the Code Quality report), After with the
// forge's outcome and error (job summary, workflow commands, step outputs,
// notices). One failing output does not stop the others.
type JobOutputs struct {
	Before []func(res *compare.Result) error
	After  []func(res *compare.Result, o Outcome, publishErr error) error
}

// PublishJob is Publish inside a CI job: the Before outputs, the forge's
// check and comment, then the After outputs; every failure is kept and
// returned joined as "posting to <forge>: …". Both CI adapters
// (publish/actions, publish/gitlabci) end their Publish with it.
func (p *Publisher) PublishJob(ctx context.Context, res *compare.Result, forge string, jo JobOutputs) error {
	var errs []error
	for _, out := range jo.Before {
		if err := out(res); err != nil {
			errs = append(errs, err)
		}
	}
	o, err := p.Publish(ctx, res)
	if err != nil {
		errs = append(errs, err)
	}
	for _, out := range jo.After {
		if aerr := out(res, o, err); aerr != nil {
			errs = append(errs, aerr)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("posting to %s: %w", forge, errors.Join(errs...))
	}
	return nil
}
