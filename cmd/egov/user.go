package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"egov"
	"egov/internal/i18n"
	"egov/internal/identity"
)

func init() {
	register("user", "manage users (user add [--admin] [--role R --unit CODE] USERNAME)", func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 || args[0] != "add" {
			return errors.New("usage: egov user add [--admin | --role ROLE --unit CODE] [--name \"Full name\"] USERNAME  (password from EGOV_USER_PASSWORD or standard input)")
		}
		fs, df := newFlagSet(e, "user add")
		admin := fs.Bool("admin", false, "make the user an administrator of the whole tree")
		role := fs.String("role", "", "role to grant: admin, receiver, specialist, leader, reporter, statistician, trace_operator")
		unit := fs.String("unit", "", "GSO code of the unit the role is granted on (today's unit); empty: the whole tree")
		name := fs.String("name", "", "full name (default: the user name)")
		if err := fs.Parse(reorder(args[1:])); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return errors.New("egov user add needs exactly one USERNAME")
		}
		if *admin {
			*role, *unit = string(identity.RoleAdmin), ""
		}
		if *role == "" {
			return errors.New("give --admin, or --role (and --unit)")
		}
		password := e.getenv("EGOV_USER_PASSWORD")
		if password == "" {
			fmt.Fprint(e.stderr, "Password: ")
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return errors.New("no password given (set EGOV_USER_PASSWORD or write it on standard input)")
			}
			password = strings.TrimRight(line, "\r\n")
		}
		a, err := df.open(ctx, e)
		if err != nil {
			return err
		}
		defer a.Close()
		var unitID int64
		if *unit != "" {
			g, err := a.Units.Graph(ctx)
			if err != nil {
				return err
			}
			u := g.At(*unit, a.Units.Today())
			if u == nil {
				return fmt.Errorf("no unit has code %s today", *unit)
			}
			unitID = u.ID
		}
		full := *name
		if full == "" {
			full = fs.Arg(0)
		}
		u, err := a.Identity.CreateOfficer(ctx, identity.SystemActor,
			identity.NewUser{Username: fs.Arg(0), FullName: full, Password: password}, identity.Role(*role), unitID)
		if err != nil {
			key, kargs := egov.ErrorKey(err)
			if egov.ErrorCode(err) != egov.EINTERNAL {
				return errors.New(i18n.T(i18n.EN, key, kargs...))
			}
			return err
		}
		fmt.Fprintf(e.stdout, "created %s (id %d) with role %s\n", u.Username, u.ID, *role)
		return nil
	})
}
