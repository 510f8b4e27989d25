package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// option is one row of the table of options (config.go). Its value comes from the flag --name
// if the command line gives it, else from the environment variable PACTUM_NAME if that is set
// and not empty (an empty one, as an env file may hold, means the default), else from def.
// Whichever it is, it is read and checked by the same rules, and a value that breaks one stops
// the command with a message naming the option as it was given (--jobs-every or
// PACTUM_JOBS_EVERY).
type option struct {
	name  string
	def   string // the default, written as on the command line
	usage string
	kind  kind
	// secret options are never shown: they have no default, and no message repeats their value.
	secret bool
	// choices, if any, are the values allowed.
	choices []string
	// min and max, if set, bound an integer or a duration; written as def is.
	min, max string
	// check, if set, says what is wrong with a value, as words that follow the option's name
	// ("must not be empty"), or returns "".
	check func(v string) string
	// field is where the value goes: a *string, *int, *time.Duration or *bool, as kind says.
	field func(c *Config) any
}

// kind is how an option's value is written.
type kind int

const (
	text kind = iota
	integer
	duration
	boolean
)

// typeName is what usage output calls the value, as the flag package does.
func (k kind) typeName() string {
	return [...]string{text: "string", integer: "int", duration: "duration", boolean: ""}[k]
}

// example says what a value of the kind looks like, for the message about one that is not.
func (k kind) example() string {
	return [...]string{integer: "a whole number such as 3", duration: "a duration such as 30s", boolean: "true or false"}[k]
}

func envName(name string) string {
	return "PACTUM_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// envValue is the environment variable of the option name, "" if unset.
func envValue(name string) string { return os.Getenv(envName(name)) }

// boundOptions are options registered on a command's flags, to be read into cfg once the
// command line is parsed.
type boundOptions struct {
	cfg   *Config
	flags []*flagValue
}

// bindOptions registers the options named (every option if none is) as flags of fs. Their
// values go into cfg when load is called after fs.Parse.
func bindOptions(fs *flag.FlagSet, cfg *Config, names ...string) *boundOptions {
	b := &boundOptions{cfg: cfg}
	for i := range options {
		o := &options[i]
		if len(names) > 0 && !slices.Contains(names, o.name) {
			continue
		}
		v := &flagValue{o: o}
		fs.Var(v, o.name, o.usage+" (env "+envName(o.name)+")")
		b.flags = append(b.flags, v)
	}
	if len(names) > 0 && len(b.flags) != len(names) {
		panic(fmt.Sprintf("bindOptions(%q): not every name is an option", names))
	}
	return b
}

// parseOptions parses args with fs, on which it binds the options named (every option if none
// is) besides the flags fs has, and returns their values.
func parseOptions(fs *flag.FlagSet, args []string, names ...string) (Config, error) {
	var cfg Config
	opts := bindOptions(fs, &cfg, names...)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	return cfg, opts.load()
}

// load reads every bound option from its flag, the environment or its default, in that order,
// checks it and stores it in the Config.
func (b *boundOptions) load() error {
	for _, f := range b.flags {
		o := f.o
		value, from := o.def, "the default of --"+o.name
		if f.set {
			value, from = f.value, "--"+o.name
		} else if env := envValue(o.name); env != "" {
			value, from = env, envName(o.name)
		}
		if err := o.set(b.cfg, value, from); err != nil {
			return err
		}
	}
	return nil
}

// set checks value, given as from, and stores it in c.
func (o *option) set(c *Config, value, from string) error {
	shown := strconv.Quote(value)
	if o.secret {
		shown = "(not shown)"
	}
	var n int64 // the value of an integer, a duration (nanoseconds) or a boolean (0 or 1)
	var err error
	switch o.kind {
	case integer:
		n, err = strconv.ParseInt(value, 10, 0)
	case duration:
		var d time.Duration
		d, err = time.ParseDuration(value)
		n = int64(d)
	case boolean:
		var t bool
		t, err = strconv.ParseBool(value)
		if t {
			n = 1
		}
	}
	if err != nil {
		return fmt.Errorf("%s=%s is not %s", from, shown, o.kind.example())
	}
	if len(o.choices) > 0 && !slices.Contains(o.choices, value) {
		return fmt.Errorf("%s must be %s, not %s", from, orList(o.choices), shown)
	}
	if problem := o.outOfRange(n); problem != "" {
		return fmt.Errorf("%s must be %s, not %s", from, problem, shown)
	}
	if o.check != nil {
		if problem := o.check(value); problem != "" {
			return fmt.Errorf("%s %s", from, problem)
		}
	}
	switch p := o.field(c).(type) {
	case *string:
		*p = value
	case *int:
		*p = int(n)
	case *time.Duration:
		*p = time.Duration(n)
	case *bool:
		*p = n == 1
	}
	return nil
}

// outOfRange says how n breaks the option's min or max, or returns "".
func (o *option) outOfRange(n int64) string {
	bound := func(s string) int64 {
		if o.kind == duration {
			d, _ := time.ParseDuration(s)
			return int64(d)
		}
		b, _ := strconv.ParseInt(s, 10, 0)
		return b
	}
	switch {
	case o.min != "" && o.max != "" && (n < bound(o.min) || n > bound(o.max)):
		return "between " + o.min + " and " + o.max
	case o.min != "" && o.max == "" && n < bound(o.min):
		return "at least " + o.min
	case o.max != "" && o.min == "" && n > bound(o.max):
		return "at most " + o.max
	}
	return ""
}

// orList writes "a, b or c".
func orList(choices []string) string {
	if len(choices) == 1 {
		return choices[0]
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// flagValue is what the command line gave an option, kept as written: it is read and checked
// in load, with the environment's values, so that both follow the same rules and messages.
type flagValue struct {
	o     *option
	value string
	set   bool
}

func (f *flagValue) Set(s string) error {
	f.value, f.set = s, true
	return nil
}

// String is the default, for usage output. The flag package also calls it on a zero flagValue.
func (f *flagValue) String() string {
	if f == nil || f.o == nil {
		return ""
	}
	return f.o.def
}

// IsBoolFlag lets a boolean option be given as --demo alone.
func (f *flagValue) IsBoolFlag() bool { return f.o.kind == boolean }

// printFlags is fs.PrintDefaults, with the options' types: the flag package names the type only
// of its own values, and calls the others "value".
func printFlags(fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		isString := typ == "string"
		if v, ok := f.Value.(*flagValue); ok {
			typ, isString = v.o.kind.typeName(), v.o.kind == text
		}
		var b strings.Builder
		fmt.Fprintf(&b, "  -%s", f.Name)
		if typ != "" {
			b.WriteString(" " + typ)
		}
		// As PrintDefaults: a short name and its usage share the line.
		if b.Len() <= 4 {
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch def := f.DefValue; {
		case def == "" || def == "0" || def == "false" || def == "0s":
		case isString:
			fmt.Fprintf(&b, " (default %q)", def)
		default:
			fmt.Fprintf(&b, " (default %v)", def)
		}
		fmt.Fprintln(fs.Output(), b.String())
	})
}
