using DeployMind.Security.Dockerfiles;

namespace DeployMind.Security.Tests.Dockerfiles;

public sealed class DockerfileParserTests
{
    [Fact]
    public void Parse_LineContinuations_JoinsIntoOneInstructionWithLineRange()
    {
        var document = DockerfileParser.Parse("""
            FROM debian:12
            RUN apt-get update \
                && apt-get install -y curl \
                && rm -rf /var/lib/apt/lists/*
            CMD ["bash"]
            """);

        Assert.Empty(document.Problems);
        var run = document.Instructions[1];
        Assert.Equal("RUN", run.Keyword);
        Assert.Equal(2, run.Line);
        Assert.Equal(4, run.EndLine);
        Assert.Contains("apt-get install -y curl", run.Arguments, StringComparison.Ordinal);
        Assert.DoesNotContain("\\", run.Arguments, StringComparison.Ordinal);
        Assert.Equal(5, document.Instructions[2].Line);
    }

    [Fact]
    public void Parse_CommentsAndBlankLinesInsideContinuation_AreSkipped()
    {
        var document = DockerfileParser.Parse("""
            FROM debian:12
            RUN apt-get update \
            # install the tools we need
                && apt-get install -y curl \

                && echo done
            """);

        Assert.Empty(document.Problems);
        var run = Assert.Single(document.Instructions, i => i.Keyword == "RUN");
        Assert.DoesNotContain("install the tools", run.Arguments, StringComparison.Ordinal);
        Assert.Contains("echo done", run.Arguments, StringComparison.Ordinal);
        Assert.Equal(6, run.EndLine);
    }

    [Fact]
    public void Parse_EscapeDirectiveBacktick_ContinuesWithBacktickAndKeepsBackslashes()
    {
        var document = DockerfileParser.Parse("""
            # escape=`
            FROM mcr.microsoft.com/windows/servercore:ltsc2022
            RUN dir c:\ `
                && echo done
            WORKDIR c:\app\
            """);

        Assert.Empty(document.Problems);
        Assert.Equal('`', document.EscapeCharacter);
        Assert.Equal("`", document.Directives["escape"]);
        var run = document.Instructions[1];
        Assert.Equal(3, run.Line);
        Assert.Equal(4, run.EndLine);
        Assert.Contains(@"dir c:\", run.Arguments, StringComparison.Ordinal);
        Assert.Contains("echo done", run.Arguments, StringComparison.Ordinal);
        Assert.Equal(@"c:\app\", document.Instructions[2].Arguments);
    }

    [Fact]
    public void Parse_DirectiveAfterInstruction_IsAComment()
    {
        var document = DockerfileParser.Parse("FROM alpine:3.20\n# escape=`\nRUN echo a \\\n  b\n");

        Assert.Equal('\\', document.EscapeCharacter);
        Assert.Empty(document.Directives);
        Assert.Equal(4, document.Instructions[1].EndLine);
    }

    [Fact]
    public void Parse_InvalidEscapeDirective_ReportsProblemOnLine1()
    {
        var document = DockerfileParser.Parse("# escape=x\nFROM alpine:3.20\n");

        var problem = Assert.Single(document.Problems);
        Assert.Equal(1, problem.Line);
        Assert.Contains("escape", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Heredocs_CapturesBodiesQuotedAndTabStrippedForms()
    {
        var document = DockerfileParser.Parse(
            "FROM alpine:3.20\n" +
            "RUN <<EOF\n" +
            "apk add --no-cache curl\n" +
            "echo hi\n" +
            "EOF\n" +
            "COPY <<-\"CONF\" /etc/app.conf\n" +
            "\tkey=$value\n" +
            "\tCONF\n" +
            "RUN <<A cat > /a && <<B cat > /b\n" +
            "first\n" +
            "A\n" +
            "second\n" +
            "B\n" +
            "USER app\n");

        Assert.Empty(document.Problems);
        var run = document.Instructions[1];
        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal("EOF", heredoc.Name);
        Assert.Equal("apk add --no-cache curl\necho hi\n", heredoc.Content);
        Assert.Equal(2, run.Line);
        Assert.Equal(5, run.EndLine);

        var copy = document.Instructions[2];
        var conf = Assert.Single(copy.Heredocs);
        Assert.True(conf.Quoted);
        Assert.True(conf.StripLeadingTabs);
        Assert.Equal("key=$value\n", conf.Content);

        var two = document.Instructions[3];
        Assert.Equal(["A", "B"], two.Heredocs.Select(h => h.Name));
        Assert.Equal("first\n", two.Heredocs[0].Content);
        Assert.Equal("second\n", two.Heredocs[1].Content);
        Assert.Equal(13, two.EndLine);

        Assert.Equal("USER", document.Instructions[4].Keyword);
        Assert.Equal(14, document.Instructions[4].Line);
    }

    [Fact]
    public void Parse_UnterminatedHeredoc_ReportsProblemWithLine()
    {
        var document = DockerfileParser.Parse("FROM alpine:3.20\nRUN <<EOF\necho hi\n");

        var problem = Assert.Single(document.Problems);
        Assert.Equal(2, problem.Line);
        Assert.Contains("EOF", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ArgInFrom_SubstitutesDefaultsAllForms()
    {
        var document = DockerfileParser.Parse("""
            ARG REGISTRY=registry.local:5000
            ARG NODE=22
            ARG DISTRO
            FROM ${REGISTRY}/node:$NODE-${DISTRO:-bookworm} AS build
            FROM $UNSET_BASE
            """);

        Assert.Empty(document.Problems);
        Assert.Equal("registry.local:5000/node:22-bookworm", document.Stages[0].BaseImage);
        Assert.Equal("${REGISTRY}/node:$NODE-${DISTRO:-bookworm}", document.Stages[0].RawBaseImage);
        Assert.Equal("$UNSET_BASE", document.Stages[1].BaseImage);
    }

    [Fact]
    public void Parse_BuildArgs_OverrideArgDefaults()
    {
        var document = DockerfileParser.Parse("ARG TAG=1.0\nFROM app:$TAG\n", new Dictionary<string, string> { ["TAG"] = "2.5" });

        Assert.Equal("app:2.5", document.Stages[0].BaseImage);
    }

    [Fact]
    public void Parse_JsonAndShellForms_AreDistinguished()
    {
        var document = DockerfileParser.Parse("""
            FROM alpine:3.20
            CMD ["node", "server.js", "--port", "80"]
            ENTRYPOINT node server.js
            RUN [not json
            """);

        var cmd = document.Instructions[1];
        Assert.True(cmd.IsJsonForm);
        Assert.Equal(["node", "server.js", "--port", "80"], cmd.JsonArguments);
        Assert.False(document.Instructions[2].IsJsonForm);
        Assert.Null(document.Instructions[2].JsonArguments);
        Assert.False(document.Instructions[3].IsJsonForm);
    }

    [Fact]
    public void Parse_MultiStage_NamesStagesCaseInsensitivelyAndLinksBaseStages()
    {
        var document = DockerfileParser.Parse("""
            FROM golang:1.23 as Build
            RUN go build -o /app .
            FROM build AS test
            FROM --platform=linux/amd64 gcr.io/distroless/static:nonroot
            COPY --from=build --chown=65532:65532 /app /app
            """);

        Assert.Empty(document.Problems);
        Assert.Equal(3, document.Stages.Count);
        Assert.Equal("Build", document.Stages[0].Name);
        Assert.Same(document.Stages[0], document.Stages[1].BaseStage);
        Assert.Equal("linux/amd64", document.Stages[2].Platform);
        Assert.Null(document.Stages[2].Name);
        var copy = document.Stages[2].Instructions[1];
        Assert.Equal("build", copy.GetFlag("from"));
        Assert.Equal("65532:65532", copy.GetFlag("chown"));
        Assert.Equal("/app /app", copy.Command);
        Assert.Equal(2, copy.StageIndex);
        Assert.Same(document.Stages[0], document.FindStage("BUILD"));
    }

    [Fact]
    public void Parse_UnknownInstruction_ReportsProblemWithItsLine()
    {
        var document = DockerfileParser.Parse("FROM alpine:3.20\nRUN echo ok\nRUNN echo typo\n");

        var problem = Assert.Single(document.Problems);
        Assert.Equal(3, problem.Line);
        Assert.Contains("RUNN", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RUN echo hi\nFROM alpine:3.20\n", 1)]
    [InlineData("FROM alpine:3.20 AS\n", 1)]
    [InlineData("FROM alpine:3.20 AS 9bad\n", 1)]
    [InlineData("FROM alpine:3.20\nSHELL /bin/bash -c\n", 2)]
    [InlineData("FROM alpine:3.20\nWORKDIR\n", 2)]
    [InlineData("# only a comment\n", 1)]
    [InlineData("ARG X=1\n", 1)]
    public void Parse_MalformedDockerfile_ReportsProblemAtLine(string text, int line)
    {
        var document = DockerfileParser.Parse(text);

        Assert.Contains(document.Problems, p => p.Line == line);
    }

    [Fact]
    public void Parse_CrLfAndBom_AreHandled()
    {
        var document = DockerfileParser.Parse("\uFEFFFROM alpine:3.20\r\nRUN echo a \\\r\n  b\r\n");

        Assert.Empty(document.Problems);
        Assert.Equal("echo a    b", document.Instructions[1].Arguments);
    }

    [Theory]
    [InlineData("${A:-x}", "", "x")]
    [InlineData("${A:+y}", "set", "y")]
    [InlineData("${A:+y}", "", "")]
    [InlineData("pre-${A}-post", "v", "pre-v-post")]
    [InlineData("\\$A", "v", "$A")]
    public void Substitute_ShellForms_ExpandLikeDocker(string input, string value, string expected)
    {
        var variables = new Dictionary<string, string?> { ["A"] = value };

        Assert.Equal(expected, DockerfileParser.Substitute(input, variables));
    }

    [Theory]
    [InlineData("nginx", "nginx", null, null)]
    [InlineData("nginx:1.27", "nginx", "1.27", null)]
    [InlineData("localhost:5000/team/app", "localhost:5000/team/app", null, null)]
    [InlineData("localhost:5000/app:v2@sha256:abc", "localhost:5000/app", "v2", "sha256:abc")]
    public void ParseImage_References_SplitsNameTagDigest(string image, string name, string? tag, string? digest)
    {
        Assert.Equal((name, tag, digest), DockerfileRules.ParseImage(image));
    }

    [Fact]
    public void ParseKeyValues_ModernAndLegacyForms_AreSplit()
    {
        var modern = DockerfileParser.ParseKeyValues("A=1 B=\"two words\" C");
        var legacy = DockerfileParser.ParseKeyValues("GREETING hello world");

        Assert.Equal([new("A", "1"), new("B", "two words"), new("C", null)], modern);
        Assert.Equal([new KeyValuePair<string, string?>("GREETING", "hello world")], legacy);
    }
}
