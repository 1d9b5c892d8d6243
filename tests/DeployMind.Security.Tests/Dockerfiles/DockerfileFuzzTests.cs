using DeployMind.Security.Dockerfiles;
using DeployMind.Security.Secrets;

namespace DeployMind.Security.Tests.Dockerfiles;

/// <summary>Random Dockerfile-shaped input built from the tokens the parser and rules care about: nothing may throw.</summary>
public sealed class DockerfileFuzzTests
{
    [Fact]
    public void ScanText_RandomDockerfileShapes_NeverThrow()
    {
        string[] kw = ["FROM", "RUN", "CMD", "COPY", "ADD", "ENV", "ARG", "EXPOSE", "USER", "WORKDIR", "SHELL", "HEALTHCHECK", "ENTRYPOINT", "ONBUILD", "LABEL", "VOLUME", "STOPSIGNAL", "MAINTAINER", "#", "# escape=`", "", "from"];
        string[] tok = ["a", "AS", "as", "--from=", "--from=x", "--mount=type=cache", "-", "/", "/tcp", "22", "-1", "99999999999999999999", "$", "${", "${A:-", "${A}", "$A", "[", "[\"a\"", "[\"a\"]", "[1]", "]", "\"", "'", "\\", "`", "<<", "<<EOF", "<<-'X'", "EOF", "X", "|", "||", "&&", ";", "&", "(", ")", "{", "}", "=", "A=", "=b", "A=b", "apt-get", "install", "update", "-y", "apk", "add", "pip", "npm", "gem", "yum", "sudo", "cd", "curl", "wget", "root", "0", ":", "@", "scratch", "alpine:latest", "x@sha256:1", "-o", "-m", "python3", "\t", " ", "set", "pipefail", "rm", "/var/lib/apt/lists/*", ".env", "id_rsa", "PASSWORD=1", "TOKEN", "-r", "-v", "--virtual"];
        // A fixed seed keeps the test deterministic; the inputs that once crashed (EXPOSE /tcp) are among them.
        var rnd = new Random(11);
        var failures = new List<string>();
        for (var iter = 0; iter < 5000; iter++)
        {
            var lines = Enumerable.Range(0, rnd.Next(1, 12)).Select(_ =>
                kw[rnd.Next(kw.Length)] + " " + string.Join(rnd.Next(3) == 0 ? "" : " ", Enumerable.Range(0, rnd.Next(0, 8)).Select(_ => tok[rnd.Next(tok.Length)])));
            var text = string.Join(rnd.Next(4) == 0 ? "\\\n" : "\n", lines);
            try
            {
                new DockerfileScanner().ScanText(text);
                new SecretScanner().ScanText("x", text);
            }
            catch (Exception e)
            {
                failures.Add($"{e.GetType().Name}: {e.Message}\n{text}");
            }
        }

        Assert.Empty(failures);
    }
}
