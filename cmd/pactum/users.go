package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/program"
)

func runUsersCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("users create", "Create an API key for an admin, an advertiser or a partner, and print it once.\nOnly its SHA-256 hash is stored: keep the printed key.", stderr)
	name := fs.String("name", "", "who the key is for, e.g. \"ops team\" (required)")
	role := fs.String("role", pactum.RoleAdmin, "admin, advertiser or partner")
	partnerID := fs.Int64("partner-id", 0, "the partner a partner key belongs to")
	advertiserID := fs.Int64("advertiser-id", 0, "the advertiser an advertiser key belongs to")
	cfg, err := parseOptions(fs, args, "db")
	if err != nil {
		return err
	}
	k := pactum.APIKey{Name: *name, Role: *role, PartnerID: *partnerID, AdvertiserID: *advertiserID, CreatedAt: time.Now().UTC()}
	if err := program.ValidateAPIKey(&k); err != nil {
		return fmt.Errorf("%s", pactum.ErrorMessage(err)+fieldSuffix(err))
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	key, err := program.CreateAPIKey(ctx, s, &k)
	if err != nil {
		return fmt.Errorf("create API key: %s%s", pactum.ErrorMessage(err), fieldSuffix(err))
	}
	fmt.Fprintf(stdout, "Created %s key %d for %q. It is shown only this once:\n\n  %s\n\nUse it as: curl -H 'Authorization: Bearer %s' ...\n", k.Role, k.ID, k.Name, key, key)
	return nil
}

func fieldSuffix(err error) string {
	if f := pactum.ErrorField(err); f != "" {
		return " (--" + strings.ReplaceAll(f, "_", "-") + ")"
	}
	return ""
}
