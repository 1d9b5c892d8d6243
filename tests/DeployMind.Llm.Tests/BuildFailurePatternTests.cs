namespace DeployMind.Llm.Tests;

public sealed class BuildFailurePatternTests
{
    private const string NonRootDockerfile = "FROM node:20-slim\nWORKDIR /app\nUSER node\nCOPY . .\nRUN npm ci\n";

    public static TheoryData<string, string, string?> Recognised => new()
    {
        { "missing-lockfile", "npm ERR! The `npm ci` command can only install with an existing package-lock.json or\nnpm ERR! npm-shrinkwrap.json with lockfileVersion >= 1.", null },
        { "missing-lockfile", "error Your lockfile needs to be updated, but yarn was run with `--frozen-lockfile`.", null },
        { "missing-lockfile", "ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref abc::xyz: \"/package-lock.json\": not found", null },
        { "missing-lockfile", "main.go:4:2: missing go.sum entry for module providing package github.com/gin-gonic/gin", null },
        { "missing-npm-script", "npm ERR! Missing script: \"build\"\nnpm ERR!\nnpm ERR! To see a list of scripts, run:", null },
        { "missing-npm-script", "npm ERR! missing script: build", null },
        { "module-not-found", "Error: Cannot find module 'express'\nRequire stack:\n- /app/server.js", null },
        { "module-not-found", "Traceback (most recent call last):\n  File \"/app/app.py\", line 1\nModuleNotFoundError: No module named 'flask'", null },
        { "module-not-found", "main.go:5:2: no required module provides package github.com/lib/pq; to add it:", null },
        { "missing-build-tool", "gyp ERR! stack Error: not found: make", null },
        { "missing-build-tool", "/bin/sh: 1: gcc: not found", null },
        { "missing-build-tool", "bash: go: command not found", null },
        { "port-in-use", "Error: listen EADDRINUSE: address already in use :::3000", null },
        { "invalid-port", "RangeError [ERR_SOCKET_BAD_PORT]: options.port should be >= 0 and < 65536. Received type number (70000).", null },
        { "privileged-port", "Error: listen EACCES: permission denied 0.0.0.0:80", NonRootDockerfile },
        { "network-unavailable", "npm ERR! request to https://registry.npmjs.org/express failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org", null },
        { "network-unavailable", "WARNING: Retrying ... Failed to establish a new connection: [Errno -3] Temporary failure in name resolution", null },
        { "network-unavailable", "go: github.com/lib/pq@v1.10.9: Get \"https://proxy.golang.org/...\": dial tcp: lookup proxy.golang.org on 127.0.0.53:53: server misbehaving", null },
        { "out-of-disk", "write /var/lib/docker/tmp/layer.tar: no space left on device", null },
        { "base-image-unavailable", "Step 1/9 : FROM node:20\nGet \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 10.0.0.53:53: no such host", null },
        { "base-image-unavailable", "pull access denied for acme/private-base, repository does not exist or may require 'docker login'", null },
        { "permission-denied-non-root", "npm ERR! Error: EACCES: permission denied, mkdir '/app/node_modules'", NonRootDockerfile },
        { "permission-denied", "/bin/sh: 1: ./start.sh: Permission denied", "FROM debian:bookworm\nCOPY start.sh .\n" },
    };

    public static TheoryData<string, string, string?> NotRecognised => new()
    {
        { "missing-lockfile", "added 57 packages from package-lock.json in 3s", null },
        { "missing-npm-script", "> app@1.0.0 build\n> vite build\n✓ built in 1.2s", null },
        { "module-not-found", "Successfully installed flask-3.0.0\nModule flask loaded", null },
        { "missing-build-tool", "COPY failed: file not found in build context or excluded by .dockerignore: stat app.py: file does not exist", null },
        { "port-in-use", "Server listening on port 3000", null },
        { "invalid-port", "EXPOSE 8080\nlistening on 0.0.0.0:8080", null },
        { "network-unavailable", "Downloading flask-3.0.0-py3-none-any.whl (101 kB)\nSuccessfully installed flask", null },
        { "out-of-disk", "Filesystem usage 41%", null },
        { "base-image-unavailable", "Step 1/9 : FROM deploymind/node:18\n ---> 3d897834e7fd", null },
        { "permission-denied-non-root", "npm ERR! Error: EACCES: permission denied, mkdir '/app/node_modules'", "FROM node:20\nUSER root\n" },
        { "permission-denied", "npm ERR! Error: EACCES: permission denied, mkdir '/app/node_modules'", NonRootDockerfile },
        { "privileged-port", "Error: EACCES: permission denied, open '/app/log.txt'", NonRootDockerfile },
    };

    [Theory]
    [MemberData(nameof(Recognised))]
    public void Recognise_KnownFailure_NamesItsPattern(string expected, string output, string? dockerfile)
    {
        var found = BuildFailurePatterns.Recognise(new BuildFailureRequest { BuildOutput = output, Dockerfile = dockerfile });

        Assert.NotEmpty(found);
        Assert.Equal(expected, found[0].PatternId);
    }

    [Theory]
    [MemberData(nameof(NotRecognised))]
    public void Recognise_NearMiss_DoesNotNameThePattern(string pattern, string output, string? dockerfile)
    {
        var found = BuildFailurePatterns.Recognise(new BuildFailureRequest { BuildOutput = output, Dockerfile = dockerfile });

        Assert.DoesNotContain(found, f => f.PatternId == pattern);
    }

    [Fact]
    public void SuggestBuildFix_MissingScript_NamesTheScriptInSummaryAndSuggestions()
    {
        var advice = new RuleBasedAdvisor().SuggestBuildFix(new BuildFailureRequest
        {
            BuildOutput = "npm ERR! Missing script: \"build\"",
            ExitCode = 1,
        });

        Assert.Contains("\"build\" script", advice.Summary, StringComparison.Ordinal);
        Assert.Contains(advice.Suggestions, s => s.Contains("RUN npm run build", StringComparison.Ordinal));
    }

    [Fact]
    public void SuggestBuildFix_MissingCompiler_SuggestsTheDebianPackage()
    {
        var advice = new RuleBasedAdvisor().SuggestBuildFix(new BuildFailureRequest { BuildOutput = "gyp ERR! stack Error: not found: make" });

        Assert.Contains(advice.Suggestions, s => s.Contains("apt-get install -y --no-install-recommends build-essential", StringComparison.Ordinal));
    }

    [Fact]
    public void SuggestBuildFix_NonRootUser_SuggestsChownForThatUser()
    {
        var advice = new RuleBasedAdvisor().SuggestBuildFix(new BuildFailureRequest
        {
            BuildOutput = "Error: EACCES: permission denied, mkdir '/app/node_modules'",
            Dockerfile = NonRootDockerfile,
        });

        Assert.Contains("'node'", advice.Summary, StringComparison.Ordinal);
        Assert.Contains(advice.Suggestions, s => s.Contains("COPY --chown=node:node", StringComparison.Ordinal));
    }

    [Fact]
    public void SuggestBuildFix_UnknownFailure_QuotesTheLastErrorLine()
    {
        var advice = new RuleBasedAdvisor().SuggestBuildFix(new BuildFailureRequest
        {
            BuildOutput = "step 1\nerror: first\nstep 2\nerror: the real one\nexit",
            ExitCode = 2,
        });

        Assert.Contains("exit code 2", advice.Summary, StringComparison.Ordinal);
        Assert.Contains("no known failure pattern", advice.Summary, StringComparison.Ordinal);
        Assert.Contains(advice.Suggestions, s => s.EndsWith("error: the real one", StringComparison.Ordinal));
    }

    [Fact]
    public void SuggestBuildFix_SameInputTwice_GivesTheSameAdvice()
    {
        var request = new BuildFailureRequest { BuildOutput = "Error: Cannot find module 'express'\nno space left on device" };
        var advisor = new RuleBasedAdvisor();

        var first = advisor.SuggestBuildFix(request);
        var second = advisor.SuggestBuildFix(request);

        Assert.Equal(first.Summary, second.Summary);
        Assert.Equal(first.Suggestions, second.Suggestions);
        Assert.Contains("express", first.Summary, StringComparison.Ordinal);
        Assert.Contains("disk", first.Summary, StringComparison.Ordinal);
    }
}
