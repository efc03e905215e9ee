package reqc_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// base is the test server's URL (REQC_TEST_URL), base2 a second origin.
var base, base2 string

// TestMain uses the servers of tests/with-server.sh when it runs the tests
// (REQC_TEST_URL set); otherwise it starts libreqc's test server itself,
// as with-server.sh does, so that a plain `go test` works in a built tree.
func TestMain(m *testing.M) {
	if os.Getenv("REQC_TEST_URL") == "" {
		stop, err := startServer()
		if err != nil {
			fmt.Fprintln(os.Stderr, "reqc tests:", err)
			os.Exit(1)
		}
		code := m.Run()
		stop()
		os.Exit(code)
	}
	base, base2 = os.Getenv("REQC_TEST_URL"), os.Getenv("REQC_TEST_URL2")
	os.Exit(m.Run())
}

func startServer() (func(), error) {
	bin := os.Getenv("REQC_TEST_SERVER_BIN")
	if bin == "" {
		bin = filepath.Join("..", "..", "target", "release", "reqc-test-server")
	}
	cmd := exec.Command(bin)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%v (run make build)", err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return nil, fmt.Errorf("no ports line from %s: %v", bin, err)
	}
	port := func(key string) string {
		m := regexp.MustCompile(`"` + key + `":(\d+)`).FindStringSubmatch(line)
		if m == nil {
			return ""
		}
		return m[1]
	}
	base = "http://127.0.0.1:" + port("port")
	base2 = "http://127.0.0.1:" + port("port2")
	os.Setenv("REQC_TEST_URL", base)
	os.Setenv("REQC_TEST_URL2", base2)
	if c := port("control"); c != "" {
		os.Setenv("REQC_TEST_CONTROL", "http://127.0.0.1:"+c)
	}
	// EOF on stdin stops the server.
	return func() { in.Close(); _, _ = io.Copy(io.Discard, out); _ = cmd.Wait() }, nil
}

// reqcOnly skips a test that needs libreqc's own test server.
func reqcOnly(t testing.TB) {
	if os.Getenv("REQC_TEST_HTTPBIN") == "1" {
		t.Skip("needs libreqc's test server")
	}
}

// stdout is where examples print (os.Stdout, read at call time: the
// testing package swaps it to check an Example's output).
var stdout = writerFunc(func(p []byte) (int, error) { return os.Stdout.Write(p) })
