using DeployMind.Domain;

namespace DeployMind.Build.Generation;

/// <summary>How software is installed in an image, which decides the commands a generated Dockerfile may use.</summary>
public enum PackageFamily
{
    /// <summary>Alpine (apk, busybox adduser/addgroup).</summary>
    [WireValue("apk")] Apk,

    /// <summary>Debian/Ubuntu (apt-get, groupadd/useradd), including debootstrap-built local images.</summary>
    [WireValue("apt")] Apt,

    /// <summary>No package manager and no shell (distroless, scratch, busybox).</summary>
    [WireValue("none")] None,
}

/// <summary>The HTTP client an image has, for HEALTHCHECK when the language runtime cannot probe.</summary>
public enum HttpProbeTool
{
    [WireValue("none")] None,
    [WireValue("wget")] Wget,
    [WireValue("curl")] Curl,
}

/// <summary>One base image of the map: the reference, its package family and how to get a non-root user in it.</summary>
public sealed record BaseImage
{
    /// <summary>Image reference with a pinned tag; <c>{version}</c> is replaced by the detected language version.</summary>
    public required string Image { get; init; }

    /// <summary>Version used for <c>{version}</c> when the project does not say which one it wants.</summary>
    public string? DefaultVersion { get; init; }

    public PackageFamily Family { get; init; } = PackageFamily.Apt;

    /// <summary>The non-root user the application runs as (name or uid:gid).</summary>
    public string User { get; init; } = "app";

    /// <summary>Shell command creating <see cref="User"/>; null means "the family's usual command", empty means the user already exists.</summary>
    public string? CreateUserCommand { get; init; }

    /// <summary>HTTP client in the image; null means "the family's usual one" (busybox wget on Alpine, none otherwise).</summary>
    public HttpProbeTool? Probe { get; init; }

    public HttpProbeTool EffectiveProbe => Probe ?? (Family == PackageFamily.Apk ? HttpProbeTool.Wget : HttpProbeTool.None);

    /// <summary>The command to run before <c>USER</c>, or null when nothing needs creating.</summary>
    public string? EffectiveCreateUserCommand => CreateUserCommand switch
    {
        "" => null,
        { } command => command,
        null => Family switch
        {
            PackageFamily.Apk => $"addgroup -S {User} && adduser -S -D -H -G {User} -s /sbin/nologin {User}",
            PackageFamily.Apt => $"groupadd --system {User} && useradd --system --gid {User} --no-create-home --shell /usr/sbin/nologin {User}",
            _ => null,
        },
    };

    /// <summary>The reference to put in FROM for a detected version (or the default one).</summary>
    public string Resolve(string? version)
    {
        if (!Image.Contains("{version}", StringComparison.Ordinal))
        {
            return Image;
        }

        return Image.Replace("{version}", version ?? DefaultVersion ?? throw new InvalidInputException("base_images",
            $"base image '{Image}' has a {{version}} placeholder but no default version"), StringComparison.Ordinal);
    }
}
