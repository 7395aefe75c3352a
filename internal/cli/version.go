package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// NewCmdVersion builds apitoken version.
func NewCmdVersion(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(f.IO.Out, "apitoken version %s\n", c.Root().Version)
			return err
		},
	}
}
