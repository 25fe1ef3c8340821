package shell

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rep repeats s to n bytes: fake secrets of a realistic shape without real ones in the tree.
func rep(s string, n int) string { return strings.Repeat(s, n/len(s)+1)[:n] }

// secretCorpus holds realistic (fake) secrets, each as a program or a person would print or type
// it; secret is what must never be stored or sent.
var secretCorpus = []struct {
	name, text, secret string
}{
	{"aws access key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"},
	{"aws secret, bare", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
	{"aws secret, in config", "aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"},
	{"github classic token", "token: ghp_" + rep("aZ3kQ9", 36), "ghp_" + rep("aZ3kQ9", 36)},
	{"github fine-grained token", "github_pat_11ABCDEFG0" + rep("xY7_q", 60), "github_pat_11ABCDEFG0" + rep("xY7_q", 60)},
	{"github token wrapped over two lines", "ghp_" + rep("aZ3kQ9", 20) + "\n" + rep("Wm4pL2", 16) + " done", rep("Wm4pL2", 16)},
	{"gitlab token", "glpat-" + rep("Ab1_cD", 20), "glpat-" + rep("Ab1_cD", 20)},
	{"slack bot token", "xoxb-1234567890123-1234567890123-" + rep("AbCd", 24), "xoxb-1234567890123-1234567890123-" + rep("AbCd", 24)},
	{"slack webhook", "https://hooks.slack.com/services/T00000000/B00000000/" + rep("XxYy", 24), "T00000000/B00000000/" + rep("XxYy", 24)},
	{"openai project key", "sk-proj-" + rep("Ab3De_Fg9", 48), "sk-proj-" + rep("Ab3De_Fg9", 48)},
	{"anthropic key", "sk-ant-api03-" + rep("Zy8Xw-Vu7", 90), "sk-ant-api03-" + rep("Zy8Xw-Vu7", 90)},
	{"google api key", "AIzaSy" + rep("Ab3-Cd_9", 33), "AIzaSy" + rep("Ab3-Cd_9", 33)},
	{"google oauth client secret", `"client_secret_value": "GOCSPX-` + rep("aB3dE5", 28) + `"`, "GOCSPX-" + rep("aB3dE5", 28)},
	{"stripe live key", "sk_live_" + rep("4eC39HqLyjWDarjtT1zdp7dc", 24), "sk_live_" + rep("4eC39HqLyjWDarjtT1zdp7dc", 24)},
	{"npm token", "//registry.npmjs.org/:_authToken=npm_" + rep("a1B2c3", 36), "npm_" + rep("a1B2c3", 36)},
	{"hugging face token", "hf_" + rep("AbCdEf123", 34), "hf_" + rep("AbCdEf123", 34)},
	{"pypi token", "pypi-AgEIcHlwaS5vcmc" + rep("Ab9_-", 70), "pypi-AgEIcHlwaS5vcmc" + rep("Ab9_-", 70)},
	{"sendgrid key", "SENDGRID=SG." + rep("aB3dE", 22) + "." + rep("Xy9_Z", 43), "SG." + rep("aB3dE", 22) + "." + rep("Xy9_Z", 43)},
	{"discord bot token", "bot.run('MTA" + rep("xNzY5", 23) + ".Gh" + rep("Ab", 4) + "." + rep("Qw3_e", 38) + "')", "MTA" + rep("xNzY5", 23) + ".Gh" + rep("Ab", 4) + "." + rep("Qw3_e", 38)},
	{"discord webhook", "https://discord.com/api/webhooks/123456789012345678/" + rep("aB3-dE_f", 68), "123456789012345678/" + rep("aB3-dE_f", 68)},
	{"twilio api key", "twilio api:core:keys:list -> SK" + rep("0123456789abcdef", 32), "SK" + rep("0123456789abcdef", 32)},
	{"mailgun key", "api:key-" + rep("0123456789abcdef", 32), "key-" + rep("0123456789abcdef", 32)},
	{"shopify token", "shpat_" + rep("0a1b2c3d4e5f", 32), "shpat_" + rep("0a1b2c3d4e5f", 32)},
	{"digitalocean token", "dop_v1_" + rep("0a1b2c3d4e5f6789", 64), "dop_v1_" + rep("0a1b2c3d4e5f6789", 64)},
	{"vault token", "VAULT_ADDR=http://v:8200 vault login hvs." + rep("CAESIJ9xYz", 90), "hvs." + rep("CAESIJ9xYz", 90)},
	{"age secret key", "AGE-SECRET-KEY-1" + rep("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58), "AGE-SECRET-KEY-1" + rep("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)},
	{"telegram bot token", "bot123456789:AA" + rep("Hd3-fG_h", 33) + "/getMe", "123456789:AA" + rep("Hd3-fG_h", 33)},
	{"jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U", "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"},
	{"pem private key", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oDb\n-----END EC PRIVATE KEY-----", "MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oDb"},
	{"url credentials", "remote: https://deploy:Tr0ub4dor3xyz@git.example.com/r.git", "Tr0ub4dor3xyz"},
	{"postgres connection string", "DATABASE_URL=postgres://app:pg-S3cret-77@db:5432/app", "pg-S3cret-77"},
	{"mongodb srv string", "mongodb+srv://root:M0ngoPassw0rd@cluster0.example.net/db", "M0ngoPassw0rd"},
	{"odbc connection string", "Server=tcp:db.example.net;Database=app;User ID=sa;Pwd=Odbc!Pass99;", "Odbc!Pass99"},
	{"ado connection string", "Data Source=db;Initial Catalog=app;User Id=sa;Password=Ad0Pass-42;", "Ad0Pass-42"},
	{"azure storage account key", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + rep("Zm9vYmFyYmF6cXV4", 86) + "==;EndpointSuffix=core.windows.net", rep("Zm9vYmFyYmF6cXV4", 86)},
	{"azure sas signature", "https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=" + rep("AbCd%2Bef", 44), rep("AbCd%2Bef", 44)},
	{"authorization bearer header", "> Authorization: Bearer " + rep("tOk3nV4lue", 40), rep("tOk3nV4lue", 40)},
	{"authorization basic header", "Authorization: Basic YWxpY2U6czNjcjN0UGFzcw==", "YWxpY2U6czNjcjN0UGFzcw=="},
	{"api key header", "X-Api-Key: " + rep("k3yV4lue", 32), rep("k3yV4lue", 32)},
	{"cookie header", "Cookie: session=" + rep("s3ss10n", 32), rep("s3ss10n", 32)},
	{"curl -u", "curl -u alice:Cu7lPassw0rd https://api.example.com", "Cu7lPassw0rd"},
	{"curl --user", "curl --user 'bob:B0bsSecret!' https://api.example.com", "B0bsSecret!"},
	{"mysql -p", "mysql -h db -u root -pMyS3cretPW app", "MyS3cretPW"},
	{"mysqldump -p quoted", "mysqldump -uroot -p'Dump-Pass-1' app > app.sql", "Dump-Pass-1"},
	{"sshpass -p", "sshpass -p 'SshP4ss!' ssh deploy@host", "SshP4ss!"},
	{"redis-cli -a", "redis-cli -h cache -a R3disPassw0rd ping", "R3disPassw0rd"},
	{"docker login -p", "docker login -u ci -p D0ckerHubT0ken registry.example.com", "D0ckerHubT0ken"},
	{"docker config auth", `{"auths":{"registry.example.com":{"auth":"Y2k6RDBja2VySHViVDBrZW4="}}}`, "Y2k6RDBja2VySHViVDBrZW4="},
	{"kubeconfig client-key-data", "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB", "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB"},
	{"kubeconfig token", "    token: " + rep("kUb3T0k", 40), rep("kUb3T0k", 40)},
	{"htpasswd apr1 hash", "admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/", "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/"},
	{"htpasswd bcrypt hash", "admin:$2y$05$" + rep("c0pUKxf4sz1aI3LqBr8pSe", 53), "$2y$05$" + rep("c0pUKxf4sz1aI3LqBr8pSe", 53)},
	{"shadow sha512 hash", "root:$6$Hq9Zr2$" + rep("yT5Rq1xW3vPzU7s", 86) + ":19000:0:99999:7:::", "$6$Hq9Zr2$" + rep("yT5Rq1xW3vPzU7s", 86)},
	{"htpasswd -b", "htpasswd -b -c .htpasswd admin Htp4sswd!", "Htp4sswd!"},
	{"openssl -passin", "openssl rsa -in k.pem -passin pass:0pensslPW -out k2.pem", "0pensslPW"},
	{"netrc", "machine api.example.com login bob password N3trcPassw0rd", "N3trcPassw0rd"},
	{"password= pair", "DB_PASSWORD=\"Pg pass with spaces\"", "Pg pass with spaces"},
	{"json secret", `{"client_secret": "cL13ntS3cret"}`, "cL13ntS3cret"},
	{"--password flag", "psql --password Ps9lPass db", "Ps9lPass"},
	{"yaml api key", "api_key: " + rep("ApiK3y", 32), rep("ApiK3y", 32)},
}

// notSecrets must come out as they went in: redaction that eats ordinary output hides the error
// the model is asked to fix.
var notSecrets = []string{
	"commit 3f786850e387550fdab836ed7e6dc881de23001b",
	"go: downloading golang.org/x/sys v0.50.0",
	"/usr/lib/x86_64-linux-gnu/libstdc++.so.6: version not found",
	"src/github.com/SomeOrganisation/Project1/x",
	"TestRedactKeepsOrdinaryOutputUntouched12",
	"ssh -p 2222 deploy@host; mkdir -p build/out",
	"git push -u origin main; sort -u names.txt",
	"docker run -u 1000:1000 image",
	"awk '{print $1$2}' file",
	"PWD=/home/u/project",
	"max_tokens=512 keys=3",
	"TOKEN=$GITHUB_TOKEN make",
	"uuid 123e4567-e89b-12d3-a456-426614174000",
	"main.go:12:5: undefined: Foo",
}

func TestRedactCorpus(t *testing.T) {
	if len(secretCorpus) < 40 {
		t.Fatalf("the corpus has %d formats, want at least 40", len(secretCorpus))
	}
	r := NewRedactor(nil)
	for _, c := range secretCorpus {
		got := r.Redact(c.text)
		if strings.Contains(got, c.secret) || !strings.Contains(got, redacted) {
			t.Errorf("%s: Redact(%q) = %q, still holds %q", c.name, c.text, got, c.secret)
		}
	}
	for _, s := range notSecrets {
		if got := r.Redact(s); got != s {
			t.Errorf("Redact(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestRedactLearnsAssignments(t *testing.T) {
	cases := []struct{ command, value string }{
		{"export MY_API_TOKEN=tok-a1b2c3d4e5", "tok-a1b2c3d4e5"},
		{`export DEPLOY_KEY="dk 1234 5678"`, "dk 1234 5678"},
		{"declare -x SERVICE_PASSWORD='pw-98765'", "pw-98765"},
		{"set -gx FISH_SECRET fs-13579-abc", "fs-13579-abc"},
		{"AUTH_COOKIE=c00kie-val make deploy", "c00kie-val"},
	}
	for _, c := range cases {
		r := NewRedactor(nil)
		r.Learn(c.command)
		if got := r.Redact("echo printed " + c.value + " later"); got != "echo printed [REDACTED] later" {
			t.Errorf("after Learn(%q): Redact = %q", c.command, got)
		}
	}
	r := NewRedactor(nil)
	r.Learn("export EDITOR=vim-tiny PATH=/usr/bin:$PATH MY_TOKEN=$OTHER")
	if got := r.Redact("vim-tiny /usr/bin"); got != "vim-tiny /usr/bin" {
		t.Errorf("Learn took a value that is no secret: %q", got)
	}
}

// TestSecretCorpusInShells prints the secret corpus in bash, zsh and fish through spark shell,
// with a token split by colour codes and a secret exported inside the session, and checks that
// no record holds any of them while the terminal shows them all.
func TestSecretCorpusInShells(t *testing.T) {
	var file strings.Builder
	for _, c := range secretCorpus {
		file.WriteString(c.text + "\n")
	}
	coloured := "ghp_" + rep("Qz8mN1", 18) + rep("Lk5rT7", 18)
	colourFile := "token: \x1b[1;32m" + coloured[:14] + "\x1b[0m\x1b[33m" + coloured[14:] + "\x1b[0m\n"
	const exported = "tok-f00dface-77"
	eachShell(t, func(t *testing.T, sh string) {
		s := start(t, sh, opts{setup: func(home string) {
			os.WriteFile(filepath.Join(home, "corpus.txt"), []byte(file.String()), 0o600)
			os.WriteFile(filepath.Join(home, "colour.txt"), []byte(colourFile), 0o600)
		}})
		export := "export MY_API_TOKEN=" + exported
		if sh == "fish" {
			export = "set -gx MY_API_TOKEN " + exported
		}
		recs := []Record{s.run(1, "cat corpus.txt"), s.run(2, "cat colour.txt"), s.run(3, export), s.run(4, `echo "got $MY_API_TOKEN"`)}
		all := dumpRecords(recs)
		for _, c := range secretCorpus {
			if strings.Contains(all, c.secret) {
				t.Errorf("%s: %s was recorded: %q", sh, c.name, c.secret)
			}
		}
		for _, secret := range []string{coloured[:14], coloured[14:], exported} {
			if strings.Contains(all, secret) {
				t.Errorf("%s: %q was recorded:\n%s", sh, secret, all)
			}
		}
		if recs[3].Output != "got [REDACTED]" {
			t.Errorf("%s: the exported secret printed later was recorded as %q", sh, recs[3].Output)
		}
		s.expect("got " + exported) // the terminal shows it
	})
}
