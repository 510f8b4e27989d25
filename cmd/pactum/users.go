package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pactum/pactum"
	"github.com/pactum/pactum/auth"
	"github.com/pactum/pactum/program"
)

const usersCreateSummary = `Create a login for the web UI (with --email), or an API key (without it), for an admin,
an advertiser or a partner.

With --email: a user who signs in at /login with that email and a password. The password is
read from --password-file FILE, or from standard input with --password-file - (the first line),
e.g.  printf '%s\n' "$PW" | pactum users create --email boss@example.com --password-file - --role admin
--password P works too, but a password on the command line is visible to everyone on the
machine (ps, shell history): prefer the file or standard input. Only an argon2id hash is stored.

Without --email: an API key, printed once (only its SHA-256 hash is stored), as before.`

func runUsersCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("users create", usersCreateSummary, stderr)
	name := fs.String("name", "", "who an API key is for, e.g. \"ops team\" (without --email)")
	email := fs.String("email", "", "make a login with this email instead of an API key")
	password := fs.String("password", "", "the login's password (visible in ps: prefer --password-file)")
	passwordFile := fs.String("password-file", "", "read the login's password from the first line of this file; - reads standard input")
	role := fs.String("role", pactum.RoleAdmin, "admin, advertiser or partner")
	partnerID := fs.Int64("partner-id", 0, "the partner a partner login or key acts for")
	advertiserID := fs.Int64("advertiser-id", 0, "the advertiser an advertiser login or key acts for")
	cfg, err := parseOptions(fs, args, "db", "public-url")
	if err != nil {
		return err
	}
	if *email != "" {
		pw, err := readPassword(*password, *passwordFile)
		if err != nil {
			return err
		}
		return createLogin(ctx, cfg, program.UserInput{Email: *email, Role: *role, PartnerID: *partnerID, AdvertiserID: *advertiserID}, pw, stdout)
	}
	if *password != "" || *passwordFile != "" {
		return fmt.Errorf("--password and --password-file need --email: API keys have no password")
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

// readPassword returns the password of --password or --password-file (one of them).
func readPassword(flagValue, file string) (string, error) {
	switch {
	case flagValue != "" && file != "":
		return "", fmt.Errorf("give --password or --password-file, not both")
	case flagValue != "":
		return flagValue, nil
	case file == "":
		return "", fmt.Errorf("a login needs a password: --password-file FILE, or --password-file - to read it from standard input")
	}
	var r io.Reader = stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("--password-file: %w", err)
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("--password-file: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// createLogin makes a user who signs in to the web UI, and says where.
func createLogin(ctx context.Context, cfg Config, in program.UserInput, password string, stdout io.Writer) error {
	if err := auth.CheckNewPassword("password", password); err != nil {
		return fmt.Errorf("%s%s", pactum.ErrorMessage(err), fieldSuffix(err))
	}
	if _, err := in.Validate(); err != nil {
		return fmt.Errorf("%s%s", pactum.ErrorMessage(err), fieldSuffix(err))
	}
	s, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer s.Close()
	u, err := program.CreateUser(ctx, s, in, auth.Hasher{}.Hash(password), time.Now())
	if err != nil {
		return fmt.Errorf("create user: %s%s", pactum.ErrorMessage(err), fieldSuffix(err))
	}
	fmt.Fprintf(stdout, "Created %s user %d, %s. Sign in at %s/login with this email and the password given.\n",
		u.Role, u.ID, u.Email, loginBase(cfg))
	return nil
}

// loginBase is where the web UI is, as far as this command knows: --public-url, else the
// default address of serve.
func loginBase(cfg Config) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	return "http://localhost:8080"
}

func fieldSuffix(err error) string {
	if f := pactum.ErrorField(err); f != "" {
		return " (--" + strings.ReplaceAll(f, "_", "-") + ")"
	}
	return ""
}
