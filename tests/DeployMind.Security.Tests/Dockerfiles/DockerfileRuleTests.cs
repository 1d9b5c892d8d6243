using DeployMind.Domain;
using DeployMind.Security.Dockerfiles;

namespace DeployMind.Security.Tests.Dockerfiles;

public sealed class DockerfileRuleTests
{
    private const string Base = "FROM alpine:3.20\n";

    /// <summary>Rule id, a Dockerfile that breaks it, and the line the finding must name.</summary>
    public static TheoryData<string, string, int> Positives => new()
    {
        { "DS-0001", "ARG TAG=latest\nFROM alpine:$TAG\n", 2 },
        { "DS-0001", "FROM golang:1.23 AS build\nFROM localhost:5000/app\n", 2 },
        { "DS-0002", Base + "RUN echo hi\n", 1 },
        { "DS-0002", Base + "USER app\nRUN id\nUSER root:root\n", 4 },
        { "DS-0002", Base + "USER 0\n", 2 },
        { "DS-0004", Base + "EXPOSE 80 22/tcp\n", 2 },
        { "DS-0005", Base + "ADD app.py /app/\n", 2 },
        { "DS-0005", Base + "ADD https://example.com/tool /usr/bin/tool\n", 2 },
        { "DS-0006", "FROM alpine:3.20 AS build\nCOPY --from=BUILD /a /b\n", 2 },
        { "DS-0007", Base + "ENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n", 3 },
        { "DS-0008", Base + "EXPOSE 8080 70000\n", 2 },
        { "DS-0009", Base + "WORKDIR app\n", 2 },
        { "DS-0010", Base + "RUN apt-get update && sudo apt-get install -y curl\n", 2 },
        { "DS-0011", Base + "COPY a.txt b.txt /app\n", 2 },
        { "DS-0011", Base + "COPY [\"a.txt\", \"b.txt\", \"/app\"]\n", 2 },
        { "DS-0012", "FROM alpine:3.20 AS build\nFROM alpine:3.20 AS Build\n", 2 },
        { "DS-0013", Base + "RUN cd /tmp && make\n", 2 },
        { "DS-0014", Base + "RUN curl -fsSLo /a https://x\nRUN wget -q https://y\n", 3 },
        { "DS-0015", "FROM centos:7\nRUN yum install -y httpd\n", 2 },
        { "DS-0016", Base + "CMD [\"a\"]\nCMD [\"b\"]\n", 3 },
        { "DS-0017", "FROM debian:12\nRUN apt-get update\n", 2 },
        { "DS-0017", Base + "RUN apk update\n", 2 },
        { "DS-0019", "FROM fedora:41\nRUN dnf install -y httpd\n", 2 },
        { "DS-0020", "FROM opensuse/leap:15.6\nRUN zypper install -y curl\n", 2 },
        { "DS-0021", "FROM debian:12\nRUN apt-get update && apt-get install --no-install-recommends curl=7.88.1\n", 2 },
        { "DS-0022", Base + "MAINTAINER someone@example.com\n", 2 },
        { "DS-0023", Base + "HEALTHCHECK CMD true\nHEALTHCHECK CMD false\n", 3 },
        { "DS-0024", "FROM debian:12\nRUN apt-get update && apt-get dist-upgrade -y\n", 2 },
        { "DS-0025", Base + "RUN apk add curl=8.9.1-r0\n", 2 },
        { "DS-0026", "FROM alpine:3.20 AS build\nHEALTHCHECK CMD true\nFROM alpine:3.20\nUSER app\n", 3 },
        { "DS-0027", "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf install -y httpd\n", 2 },
        { "DS-0029", "FROM debian:12\nRUN apt-get install -y curl=7.88.1\n", 2 },
        { "DS-0030", Base + "WORKDIR /proc/self\n", 2 },
        { "DS-0031", Base + "ENV DB_PASSWORD=hunter2\n", 2 },
        { "DS-0031", "ARG GITHUB_TOKEN=abc123\n" + Base, 1 },
        { "DS-0031", Base + "ENV API_KEY some value\n", 2 },
        { "DS-0031", Base + "COPY id_rsa /root/.ssh/id_rsa\n", 2 },
        { "DS-0031", Base + "COPY .env config/server.pem /app/\n", 2 },
        { "DL3006", "FROM ubuntu\n", 1 },
        { "DL3007", "FROM ubuntu:latest\n", 1 },
        { "DL3008", "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl git=1:2.39.5-0\n", 2 },
        { "DL3009", "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n", 2 },
        { "DL3013", Base + "RUN pip install flask requests==2.32.3\n", 2 },
        { "DL3013", Base + "RUN python3 -m pip install flask\n", 2 },
        { "DL3016", Base + "RUN npm install -g express\n", 2 },
        { "DL3018", Base + "RUN apk add --no-cache curl\n", 2 },
        { "DL3025", Base + "CMD node server.js\n", 2 },
        { "DL3025", Base + "ENTRYPOINT /entrypoint.sh\n", 2 },
        { "DL3028", "FROM ruby:3.3\nRUN gem install rails\n", 2 },
        { "DL3042", Base + "RUN pip install flask==3.0.3\n", 2 },
        { "DL3059", Base + "RUN echo a\n# comment between\nRUN echo b\n", 4 },
        { "DL4006", Base + "RUN curl -fsSL https://x | sh\n", 2 },
        { "DL4006", Base + "RUN [\"/bin/sh\", \"-c\", \"echo hi\"]\nRUN echo a | tee /b\n", 3 },
    };

    /// <summary>Rule id and a Dockerfile that must not trigger it (near misses of the positive cases).</summary>
    public static TheoryData<string, string> Negatives => new()
    {
        { "DS-0001", "ARG V=3.20\nFROM golang:1.23 AS build\nFROM build\nFROM scratch\nCOPY --from=build /a /a\nFROM alpine@sha256:0123456789abcdef\nFROM alpine:${V}\nFROM $UNKNOWN\n" },
        { "DS-0002", "FROM alpine:3.20 AS build\nUSER root\nFROM alpine:3.20\nUSER root\nRUN apk add --no-cache curl\nUSER app:app\n" },
        { "DS-0002", "FROM alpine:3.20 AS base\nUSER 10001\nFROM base\nRUN true\n" },
        { "DS-0004", Base + "EXPOSE 2222 8022 220/udp\n" },
        { "DS-0005", Base + "ADD rootfs.tar.gz /\nCOPY app.py /app/\n" },
        { "DS-0006", "FROM alpine:3.20 AS deps\nFROM alpine:3.20 AS build\nCOPY --from=deps /a /b\n" },
        { "DS-0007", "FROM alpine:3.20 AS a\nENTRYPOINT [\"a\"]\nFROM alpine:3.20\nENTRYPOINT [\"b\"]\n" },
        { "DS-0008", Base + "EXPOSE 65535 8080-8090/udp $PORT /tcp\n" },
        { "DS-0009", Base + "WORKDIR /app\nWORKDIR $HOME/x\nWORKDIR \"/srv/x\"\nWORKDIR C:\\\\app\n" },
        { "DS-0010", Base + "RUN echo sudo && useradd pseudo\n" },
        { "DS-0011", Base + "COPY a.txt b.txt /app/\nCOPY a.txt /app\nCOPY <<EOF /x\nhello\nEOF\n" },
        { "DS-0012", "FROM alpine:3.20 AS build\nFROM alpine:3.20 AS test\nFROM alpine:3.20\n" },
        { "DS-0013", Base + "RUN (cd /tmp && make) && echo cd done\n" },
        { "DS-0014", Base + "RUN curl -fsSLo /a https://x\nRUN curl -fsSLo /b https://y && echo wget\n" },
        { "DS-0015", "FROM centos:7\nRUN yum install -y httpd && yum clean all\n" },
        { "DS-0016", "FROM alpine:3.20 AS a\nCMD [\"a\"]\nFROM alpine:3.20\nCMD [\"b\"]\n" },
        { "DS-0017", "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1\n" },
        { "DS-0019", "FROM fedora:41\nRUN dnf install -y httpd && dnf clean all\n" },
        { "DS-0020", "FROM opensuse/leap:15.6\nRUN zypper install -y curl && zypper clean\n" },
        { "DS-0021", "FROM debian:12\nRUN apt-get update && apt-get install -qy curl && apt-get -y install git && apt-get install --yes jq\n" },
        { "DS-0022", Base + "LABEL org.opencontainers.image.authors=\"someone@example.com\"\n" },
        { "DS-0023", "FROM alpine:3.20 AS a\nHEALTHCHECK CMD true\nFROM alpine:3.20\nHEALTHCHECK NONE\n" },
        { "DS-0024", "FROM debian:12\nRUN apt-get update && apt-get upgrade -y\n" },
        { "DS-0025", Base + "RUN apk add --no-cache curl=8.9.1-r0\n" },
        { "DS-0026", "FROM alpine:3.20 AS base\nHEALTHCHECK CMD true\nFROM base\nUSER app\n" },
        { "DS-0027", "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.5\nRUN microdnf install -y httpd && microdnf clean all\n" },
        { "DS-0029", "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl=7.88.1\n" },
        { "DS-0030", Base + "WORKDIR /processing\nWORKDIR /app/proc\n" },
        { "DS-0031", "ARG NPM_TOKEN\n" + Base + "ENV PASSWORD_FILE=/run/secrets/pw\nENV PASSPORT_ENABLED=true\nCOPY .env.example id_rsa.pub /app/\nRUN --mount=type=secret,id=npm_token npm ci\n" },
        { "DL3006", "FROM ubuntu:latest\nFROM ubuntu:24.04\nFROM scratch\n" },
        { "DL3007", "FROM ubuntu\nFROM ubuntu:24.04\n" },
        { "DL3008", "FROM debian:12\nRUN apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confnew curl=7.88.1-10 ./local.deb $EXTRA\n" },
        { "DL3009", "FROM debian:12 AS build\nRUN apt-get update && apt-get install -y gcc\nFROM debian:12\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n" },
        { "DL3013", Base + "RUN pip install flask==3.0.3 'requests>=2.32' -r requirements.txt . ./wheels/app.whl && pip install --upgrade pip\n" },
        { "DL3016", Base + "RUN npm install express@4.21.1 @types/node@22.1.0 && npm ci && npm install\n" },
        { "DL3018", Base + "RUN apk add --no-cache --virtual .build-deps curl=8.9.1-r0 'git>2.40'\n" },
        { "DL3025", Base + "CMD [\"node\", \"server.js\"]\nENTRYPOINT [\"/entrypoint.sh\"]\n" },
        { "DL3028", "FROM ruby:3.3\nRUN gem install rails:7.2.1 && gem install bundler -v 2.5.0\n" },
        { "DL3042", Base + "RUN pip install --no-cache-dir flask==3.0.3\nFROM python:3.12 AS b\nENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0.3\n" },
        { "DL3059", Base + "RUN echo a\nENV X=1\nRUN echo b\nRUN --mount=type=cache,target=/root/.cache echo c\n" },
        { "DL4006", "FROM alpine:3.20\nSHELL [\"/bin/ash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x | sh\nRUN a || b\nFROM alpine:3.20\nRUN set -o pipefail && curl x | sh\n" },
    };

    [Theory]
    [MemberData(nameof(Positives))]
    public void Check_BrokenDockerfile_ReportsRuleAtLine(string ruleId, string dockerfile, int line)
    {
        var rule = DockerfileRules.Find(ruleId)!;
        var document = DockerfileParser.Parse(dockerfile);
        Assert.Empty(document.Problems);

        var findings = rule.Evaluate(document, "Dockerfile").ToList();

        Assert.Contains(findings, f => f.Line == line);
        Assert.All(findings, f =>
        {
            Assert.Equal(rule.Title, f.Title);
            Assert.Equal(rule.Severity, f.Severity);
            Assert.Equal(ScanType.Dockerfile, f.ScanType);
            Assert.False(string.IsNullOrWhiteSpace(f.Description));
            Assert.False(string.IsNullOrWhiteSpace(f.Fix));
        });
    }

    [Theory]
    [MemberData(nameof(Negatives))]
    public void Check_CorrectDockerfile_ReportsNothing(string ruleId, string dockerfile)
    {
        var rule = DockerfileRules.Find(ruleId)!;
        var document = DockerfileParser.Parse(dockerfile);
        Assert.Empty(document.Problems);

        var findings = rule.Evaluate(document, "Dockerfile").ToList();

        Assert.Empty(findings);
    }

    [Fact]
    public void All_EveryRule_HasPositiveAndNegativeCase()
    {
        var positive = Positives.Select(row => (string)row[0]).ToHashSet();
        var negative = Negatives.Select(row => (string)row[0]).ToHashSet();

        Assert.All(DockerfileRules.All, rule =>
        {
            Assert.Contains(rule.Id, positive);
            Assert.Contains(rule.Id, negative);
        });
    }

    [Theory]
    [InlineData("DS-0001", "':latest' tag used (or no tag)", Severity.Medium)]
    [InlineData("DS-0002", "Image user should not be 'root'", Severity.High)]
    [InlineData("DS-0004", "Port 22 exposed", Severity.Medium)]
    [InlineData("DS-0005", "ADD instead of COPY", Severity.Low)]
    [InlineData("DS-0006", "COPY '--from' referring to the current image", Severity.Critical)]
    [InlineData("DS-0007", "Multiple ENTRYPOINT instructions", Severity.Critical)]
    [InlineData("DS-0008", "Exposed port out of range", Severity.Critical)]
    [InlineData("DS-0009", "WORKDIR path not absolute", Severity.High)]
    [InlineData("DS-0010", "RUN using 'sudo'", Severity.Critical)]
    [InlineData("DS-0011", "COPY with more than two arguments not ending with slash", Severity.Critical)]
    [InlineData("DS-0012", "Duplicate aliases in different FROMs", Severity.Critical)]
    [InlineData("DS-0013", "'RUN cd ...' to change directory", Severity.Medium)]
    [InlineData("DS-0014", "RUN using both 'wget' and 'curl'", Severity.Low)]
    [InlineData("DS-0015", "'yum clean all' missing", Severity.High)]
    [InlineData("DS-0016", "Multiple CMD instructions", Severity.High)]
    [InlineData("DS-0017", "'<package manager> update' instruction alone", Severity.High)]
    [InlineData("DS-0019", "'dnf clean all' missing", Severity.High)]
    [InlineData("DS-0020", "'zypper clean' missing", Severity.High)]
    [InlineData("DS-0021", "'apt-get' missing '-y'", Severity.High)]
    [InlineData("DS-0022", "Deprecated MAINTAINER", Severity.High)]
    [InlineData("DS-0023", "Multiple HEALTHCHECK instructions", Severity.Medium)]
    [InlineData("DS-0024", "'apt-get dist-upgrade' used", Severity.High)]
    [InlineData("DS-0025", "'apk add' missing '--no-cache'", Severity.High)]
    [InlineData("DS-0026", "No HEALTHCHECK defined", Severity.Low)]
    [InlineData("DS-0027", "'microdnf clean all' missing", Severity.High)]
    [InlineData("DS-0029", "'apt-get' missing '--no-install-recommends'", Severity.High)]
    [InlineData("DS-0030", "WORKDIR on a system directory", Severity.High)]
    [InlineData("DS-0031", "Secrets passed via build args, ENV or copied secret files", Severity.Critical)]
    public void All_TrivyRule_HasReferenceTitleAndSeverity(string id, string title, Severity severity)
    {
        var rule = DockerfileRules.Find(id);

        Assert.NotNull(rule);
        Assert.Equal(title, rule.Title);
        Assert.Equal(severity, rule.Severity);
    }

    [Fact]
    public void All_RuleIds_AreUnique()
    {
        Assert.Equal(DockerfileRules.All.Count, DockerfileRules.All.Select(r => r.Id).Distinct().Count());
    }

    [Fact]
    public void Check_HeredocRunScript_IsAnalysedAsShell()
    {
        var document = DockerfileParser.Parse(Base + "RUN <<EOF\nset -e\nsudo apk add curl\nEOF\n");

        var findings = DockerfileRules.Find("DS-0010")!.Evaluate(document, "Dockerfile").ToList();

        var finding = Assert.Single(findings);
        Assert.Equal(2, finding.Line);
        Assert.Equal(5, finding.EndLine);
    }
}
