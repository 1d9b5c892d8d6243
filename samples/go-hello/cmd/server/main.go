// Command server is DeployMind's Go sample: net/http only, no modules to download.
//
// Env: PORT (default 8080), HOST (default 0.0.0.0), APP_VERSION (default "dev"),
// FAIL_HEALTH=1 -> /health answers 503, CRASH_ON_START=1 -> exit 1 at start, SLOW_MS=N -> delay every response.
// `server -healthcheck` probes http://127.0.0.1:$PORT/health and exits 0 or 1, for images without a shell or curl.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

func main() {
	healthcheck := flag.Bool("healthcheck", false, "probe the local /health endpoint and exit 0 (healthy) or 1")
	flag.Parse()

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if *healthcheck {
		os.Exit(probe(port))
	}
	if os.Getenv("CRASH_ON_START") == "1" {
		fmt.Fprintln(os.Stderr, "CRASH_ON_START=1: exiting with code 1")
		os.Exit(1)
	}
	host := os.Getenv("HOST")
	if host == "" {
		host = "0.0.0.0"
	}
	version := os.Getenv("APP_VERSION")
	if version == "" {
		version = "dev"
	}
	slowMs, _ := strconv.Atoi(os.Getenv("SLOW_MS"))

	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		status, code := "ok", http.StatusOK
		if os.Getenv("FAIL_HEALTH") == "1" {
			status, code = "failing", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"status": status, "version": version})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>go-hello</title><h1>Hello from go-hello</h1><p>version %s</p>\n", version)
	})

	var handler http.Handler = mux
	if slowMs > 0 {
		handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Duration(slowMs) * time.Millisecond)
			mux.ServeHTTP(w, r)
		})
	}

	server := &http.Server{Addr: net.JoinHostPort(host, port), Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = server.Shutdown(shutdown)
	}()

	log.Printf("go-hello %s listening on http://%s", version, server.Addr)
	if err := server.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

func probe(port string) int {
	client := http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://127.0.0.1:" + port + "/health")
	if err != nil {
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 1
	}
	return 0
}
