package engine

import (
	"strings"
	"testing"
	"time"
)

func TestMySQLConfig(t *testing.T) {
	for _, c := range []struct {
		name  string
		url   string
		check func(t *testing.T, addr, user, pass, db string, params map[string]string, readTimeout time.Duration)
	}{
		{"password with DSN syntax in it", "mysql://app:p%40ss%3Aw%2Frd%3F%28x%29@db.internal:3307/authbridge",
			func(t *testing.T, addr, user, pass, db string, _ map[string]string, _ time.Duration) {
				if addr != "db.internal:3307" || user != "app" || pass != "p@ss:w/rd?(x)" || db != "authbridge" {
					t.Fatalf("addr %q user %q pass %q db %q", addr, user, pass, db)
				}
			}},
		{"default port", "mysql://app:pw@db.internal/authbridge",
			func(t *testing.T, addr, _, _, _ string, _ map[string]string, _ time.Duration) {
				if addr != "db.internal:3306" {
					t.Fatalf("addr %q", addr)
				}
			}},
		{"IPv6 host", "mysql://app:pw@[::1]/authbridge",
			func(t *testing.T, addr, _, _, _ string, _ map[string]string, _ time.Duration) {
				if addr != "[::1]:3306" {
					t.Fatalf("addr %q", addr)
				}
			}},
		{"driver options and server variables pass through; the store's own are forced", "mysql://app:pw@h:1/d?readTimeout=7s&sql_mode=%27TRADITIONAL%27&parseTime=false&loc=Local&time_zone=%27%2B02%3A00%27&charset=latin1&multiStatements=true&clientFoundRows=false",
			func(t *testing.T, _, _, _, _ string, params map[string]string, readTimeout time.Duration) {
				if readTimeout != 7*time.Second || params["sql_mode"] != "'TRADITIONAL'" || params["time_zone"] != "'+00:00'" {
					t.Fatalf("readTimeout %v params %v", readTimeout, params)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := MySQLConfig(c.url)
			if err != nil {
				t.Fatal(err)
			}
			if !cfg.ParseTime || cfg.Loc != time.UTC || cfg.Collation != "utf8mb4_unicode_ci" || !cfg.InterpolateParams || cfg.MultiStatements || !cfg.ClientFoundRows {
				t.Fatalf("owned settings not forced: %+v", cfg)
			}
			if dsn := cfg.FormatDSN(); strings.Contains(dsn, "charset=") || strings.Contains(dsn, "Local") {
				t.Fatalf("a parameter the store owns leaked through: %s", dsn)
			}
			c.check(t, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName, cfg.Params, cfg.ReadTimeout)
		})
	}
}

func TestMySQLConfigSocket(t *testing.T) {
	for _, c := range []struct {
		name, url, net, addr string
	}{
		{"socket, no host", "mysql://app:pw@/authbridge?socket=/run/mysqld/mysqld.sock", "unix", "/run/mysqld/mysqld.sock"},
		{"socket with localhost", "mysql://app:pw@localhost/authbridge?socket=/run/mysqld/mysqld.sock&readTimeout=3s", "unix", "/run/mysqld/mysqld.sock"},
		{"host, no socket", "mysql://app:pw@db.internal/authbridge", "tcp", "db.internal:3306"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg, err := MySQLConfig(c.url)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Net != c.net || cfg.Addr != c.addr || cfg.DBName != "authbridge" || cfg.User != "app" || cfg.Passwd != "pw" {
				t.Fatalf("net %q addr %q db %q user %q", cfg.Net, cfg.Addr, cfg.DBName, cfg.User)
			}
			if _, ok := cfg.Params["socket"]; ok {
				t.Fatal("socket was passed to the server as a variable")
			}
		})
	}
}

func TestMySQLConfigErrorsHideThePassword(t *testing.T) {
	for _, raw := range []string{"mysql://u:hunter2@h:1/d?readTimeout=never", "mysql://u:hunter2@h:port/d", "mysql://u:hunter2@/d",
		"mysql://u:hunter2@/d?socket=run/mysqld.sock", "mysql://u:hunter2@db.internal/d?socket=/run/mysqld.sock"} {
		_, err := MySQLConfig(raw)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("%q: %v", raw, err)
		}
	}
}
