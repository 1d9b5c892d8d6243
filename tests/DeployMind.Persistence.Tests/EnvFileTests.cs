using DeployMind.Persistence.RuntimeConfig;

namespace DeployMind.Persistence.Tests;

public sealed class EnvFileTests
{
    [Fact]
    public void Parse_CommonForms_ReadsNamesAndValues()
    {
        const string text = """
            # database
            export DATABASE_URL=postgres://app@db/app

            PLAIN = spaced value   # trailing comment
            HASH=abc#def
            EMPTY=
            DOUBLE="line1\nline2 \"quoted\" \$HOME"
            SINGLE='literal \n $HOME'
            MULTI="-----BEGIN KEY-----
            abc==
            -----END KEY-----"
            _under_score1=x=y
            """;

        var result = EnvFile.Parse(text);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        var values = result.Entries.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal("postgres://app@db/app", values["DATABASE_URL"]);
        Assert.Equal("spaced value", values["PLAIN"]);
        Assert.Equal("abc#def", values["HASH"]);
        Assert.Equal("", values["EMPTY"]);
        Assert.Equal("line1\nline2 \"quoted\" $HOME", values["DOUBLE"]);
        Assert.Equal("literal \\n $HOME", values["SINGLE"]);
        Assert.Equal("-----BEGIN KEY-----\nabc==\n-----END KEY-----", values["MULTI"]);
        Assert.Equal("x=y", values["_under_score1"]);
        Assert.Equal(2, result.Entries.Single(e => e.Name == "DATABASE_URL").Line);
        Assert.Equal(9, result.Entries.Single(e => e.Name == "MULTI").Line);
        Assert.Equal(12, result.Entries.Single(e => e.Name == "_under_score1").Line);
    }

    [Fact]
    public void Parse_CrLfAndBom_AreAccepted()
    {
        var result = EnvFile.Parse("\uFEFFA=1\r\nB=\"2\"\r\n");

        Assert.True(result.IsValid);
        Assert.Equal(["1", "2"], result.Entries.Select(e => e.Value));
    }

    [Fact]
    public void Parse_EveryBadLine_IsReportedWithItsLineNumber()
    {
        const string text = """
            GOOD=1
            no equals sign here
            1BAD=x
            BAD-NAME=x
            =nothing
            GOOD=2
            TRAIL="closed" junk
            OPEN="never closed
            """;

        var result = EnvFile.Parse(text);

        Assert.False(result.IsValid);
        Assert.Empty(result.Entries);
        Assert.Equal([2, 3, 4, 5, 6, 7, 8], result.Errors.Select(e => e.Line));
        Assert.Contains("no '='", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("starts with a digit", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("'-'", result.Errors[2].Message, StringComparison.Ordinal);
        Assert.Contains("empty", result.Errors[3].Message, StringComparison.Ordinal);
        Assert.Contains("already set on line 1", result.Errors[4].Message, StringComparison.Ordinal);
        Assert.Contains("after the closing quote", result.Errors[5].Message, StringComparison.Ordinal);
        Assert.Contains("never closed", result.Errors[6].Message, StringComparison.Ordinal);
        var error = Assert.Throws<EnvFileException>(() => result.EntriesOrThrow("prod.env"));
        Assert.Contains("prod.env:4:", error.Message, StringComparison.Ordinal);
        Assert.Equal("file", error.Field);
    }

    [Fact]
    public void Parse_BadLineThatLooksLikeASecret_IsNotEchoedInTheError()
    {
        var result = EnvFile.Parse("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC+/sekrit==\nTOKEN_LINE_WITHOUT_EQUALS_s3cr3t");

        Assert.Equal([1, 2], result.Errors.Select(e => e.Line));
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("sekrit", StringComparison.Ordinal) || e.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }
}
