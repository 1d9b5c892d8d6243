using DeployMind.Security.Dependencies.Lockfiles;

namespace DeployMind.Security.Tests.Dependencies;

public sealed class TomlDocumentTests
{
    [Fact]
    public void Parse_LockfileConstructs_ReadsValuesAndTableLines()
    {
        var document = TomlDocument.Parse(""""
            # comment
            version = 4
            "quoted key" = 'literal \n'

            [[package]]
            name = "a"
            version = "1.0.0" # trailing comment
            source = { registry = "https://pypi.org/simple", extra = [1, 2,] }
            dependencies = [
                { name = "b", marker = "python_version < '3.11'" },
                "c 1.0 (registry+x)",
            ]
            description = """
            multi \
              line "quoted" \u00e9"""

            [package.source2]
            type = "git"

            [[package]]
            name = "b"
            flag = true
            ratio = 1.5
            date = 2024-01-01T00:00:00Z
            """");

        Assert.Equal(4L, document.Values["version"]);
        Assert.Equal("literal \\n", document.GetString("quoted key"));
        var packages = document.GetTables("package").ToList();
        Assert.Equal(2, packages.Count);
        Assert.Equal(5, packages[0].Line);
        Assert.Equal("https://pypi.org/simple", packages[0].GetTable("source")!.GetString("registry"));
        Assert.Equal("b", packages[0].GetTables("dependencies").Single().GetString("name"));
        Assert.Equal(["c 1.0 (registry+x)"], packages[0].GetStrings("dependencies"));
        Assert.Equal("multi line \"quoted\" é", packages[0].GetString("description"));
        Assert.Equal("git", packages[0].GetTable("source2")!.GetString("type"));
        Assert.Equal(true, packages[1].Values["flag"]);
        Assert.Equal(1.5, packages[1].Values["ratio"]);
        Assert.Equal("2024-01-01T00:00:00Z", packages[1].GetString("date"));
    }

    [Theory]
    [InlineData("name = \"unterminated\n", 1)]
    [InlineData("a = 1\nb = [1, 2\n", 3)]
    [InlineData("a = 1\na = 2\n", 2)]
    [InlineData("[table\nx = 1\n", 1)]
    [InlineData("x = 1 y = 2\n", 1)]
    public void Parse_Malformed_ThrowsWithLine(string text, int line)
    {
        var error = Assert.Throws<LockfileFormatException>(() => TomlDocument.Parse(text));

        Assert.Equal(line, error.Line);
    }
}
