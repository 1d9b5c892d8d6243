namespace DeployMind.Proxy;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("deploymind-proxy: not wired yet");
        return args.Length == 0 ? 1 : 1;
    }
}
