using System.Text;
using static DeployMind.Security.Tests.Secrets.Fake;

namespace DeployMind.Security.Tests.Secrets;

/// <summary>
/// A positive sample (text, and the secret the rule must capture) and a near-miss negative for every
/// secret rule. Tokens are generated from parts at run time: valid shapes, fake values.
/// </summary>
internal static class SecretRuleCases
{
    public sealed record Case(string RuleId, string Positive, string Secret, string Negative);

    public static IReadOnlyList<Case> All { get; } = Build();

    private static List<Case> Build()
    {
        var cases = new List<Case>();

        void Token(string id, string token, string negative, string before = "token: ", string after = "\n") =>
            cases.Add(new Case(id, before + token + after, token, negative));

        void Assigned(string id, string text, string secret, string negative) => cases.Add(new Case(id, text, secret, negative));

        // AWS
        var awsId = "AKIA" + Chars(Base32Upper, 16);
        Token("aws-access-key-id", awsId, "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n", "aws_access_key_id = ");
        var awsSecret = Chars(Base64, 40);
        Assigned("aws-secret-access-key", $"AWS_SECRET_ACCESS_KEY=\"{awsSecret}\"\n", awsSecret, $"AWS_SECRET_ACCESS_KEY=\"{Chars(Base64, 39)}\"\n");
        var nearSecret = Chars(Base64, 40);
        Assigned("aws-secret-access-key-near-id", $"{awsId},{nearSecret}\n", nearSecret, $"{awsId},{Chars(Hex, 40)}\n");
        var session = Chars(Base64, 200);
        Assigned("aws-session-token", $"aws_session_token = {session}\n", session, $"aws_session_token = {Chars(Base64, 50)}\n");
        var mws = "amzn.mws." + Uuid();
        Token("aws-mws-auth-token", mws, "amzn.mws.1234-5678\n");

        // Azure
        var accountKey = Chars(Base64, 86) + "==";
        Assigned("azure-storage-account-key", $"DefaultEndpointsProtocol=https;AccountName=fake;AccountKey={accountKey};EndpointSuffix=core.windows.net\n",
            accountKey, $"AccountKey={Chars(Base64, 40)}==\n");
        var adSecret = Chars(Alnum, 3) + "8Q~" + Chars(Alnum, 34);
        Token("azure-ad-client-secret", adSecret, "client_secret: abc8Q~short\n", "client_secret: \"", "\"\n");
        var sig = Chars(Alnum, 43) + "%3D";
        Assigned("azure-sas-token", $"https://fake.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&sp=r&se=2030-01-01&sig={sig}\n", sig,
            $"https://example.com/download?sig={Chars(Alnum, 43)}\n");
        var sharedKey = Chars(Base64, 43) + "=";
        Assigned("azure-shared-access-key", $"Endpoint=sb://fake.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey={sharedKey}\n",
            sharedKey, $"SharedAccessKey={Chars(Base64, 20)}=\n");

        // Google
        Token("gcp-api-key", "AIza" + Chars(UrlSafe, 35), $"key: AIza{Chars(UrlSafe, 30)}\n");
        var keyBody = "MIIE" + Chars(Base64, 120);
        Assigned("gcp-service-account-key",
            "{\"type\": \"service_account\", \"private_key_id\": \"abc\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" + keyBody + "\\n-----END PRIVATE KEY-----\\n\"}\n",
            keyBody,
            "{\"type\": \"authorized_user\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n" + Chars(Base64, 120) + "\\n-----END PRIVATE KEY-----\\n\"}\n");
        Token("gcp-oauth-client-secret", "GOCSPX-" + Chars(UrlSafe, 28), $"GOCSPX-{Chars(Alnum, 20)}\n");

        // Alibaba
        Token("alibaba-access-key-id", "LTAI" + Chars(Alnum, 20), $"LTAI{Chars(Alnum, 10)}\n");
        var aliSecret = Chars(Alnum, 30);
        Assigned("alibaba-secret-key", $"alibaba_access_key_secret = \"{aliSecret}\"\n", aliSecret, $"alibaba_access_key_secret = \"{Chars(Alnum, 20)}\"\n");

        // GitHub
        foreach (var (id, prefix) in new[]
                 {
                     ("github-pat", "ghp_"), ("github-oauth-token", "gho_"), ("github-user-to-server-token", "ghu_"),
                     ("github-server-to-server-token", "ghs_"), ("github-refresh-token", "ghr_"),
                 })
        {
            Token(id, prefix + Chars(Alnum, 36), $"{prefix}{Chars(Alnum, 30)}\n");
        }

        Token("github-fine-grained-pat", "github_pat_" + Chars(Alnum, 22) + "_" + Chars(Alnum, 59), $"github_pat_{Chars(Alnum, 22)}\n");

        // GitLab
        Token("gitlab-pat", "glpat-" + Chars(UrlSafe, 20), $"glpat-{Chars(Alnum, 10)}\n");
        Token("gitlab-pipeline-trigger-token", "glptt-" + Chars(Hex, 40), $"glptt-{Chars(Hex, 30)}\n");
        Token("gitlab-runner-registration-token", "GR1348941" + Chars(UrlSafe, 20), $"GR1348941{Chars(Alnum, 10)}\n");
        Token("gitlab-runner-auth-token", "glrt-" + Chars(UrlSafe, 20), $"glrt-{Chars(Alnum, 10)}\n");
        Token("gitlab-deploy-token", "gldt-" + Chars(UrlSafe, 20), $"gldt-{Chars(Alnum, 10)}\n");
        Token("gitlab-feed-token", "glft-" + Chars(UrlSafe, 20), $"glft-{Chars(Alnum, 10)}\n");

        // Bitbucket
        var bbSecret = Chars(Alnum, 64);
        Assigned("bitbucket-client-secret", $"BITBUCKET_CLIENT_SECRET={bbSecret}\n", bbSecret, $"BITBUCKET_CLIENT_SECRET={Chars(Alnum, 32)}\n");
        Token("bitbucket-app-password", "ATBB" + Chars(Alnum, 32), $"ATBB{Chars(Alnum, 10)}\n");

        // Registries
        Token("pypi-upload-token", "pypi-AgEIcHlwaS5vcmc" + Chars(UrlSafe, 60), $"pypi-AgEIcHlwaS5vcmc{Chars(Alnum, 20)}\n", "password = ");
        Token("npm-access-token", "npm_" + Chars(Alnum, 36), $"npm_{Chars(Alnum, 20)}\n");
        var npmrc = Chars(UrlSafe, 40);
        Assigned("npmrc-auth-token", $"//registry.npmjs.org/:_authToken={npmrc}\n", npmrc, "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
        Token("rubygems-api-key", "rubygems_" + Chars(Hex, 48), $"rubygems_{Chars(Hex, 40)}\n");
        var dockerAuth = Convert.ToBase64String(Encoding.UTF8.GetBytes("fakeuser:" + Chars(Alnum, 16)));
        Assigned("docker-config-auth", $"{{\"auths\": {{\"registry.example.com\": {{\"auth\": \"{dockerAuth}\"}}}}}}\n", dockerAuth,
            "{\"auths\": {\"registry.example.com\": {}}, \"credsStore\": \"desktop\"}\n");
        Token("docker-hub-pat", "dckr_pat_" + Chars(UrlSafe, 27), $"dckr_pat_{Chars(Alnum, 10)}\n");
        Token("huggingface-access-token", "hf_" + Chars(Letters, 34), $"hf_{Chars(Letters, 20)}\n");
        Token("huggingface-org-token", "api_org_" + Chars(Letters, 34), $"api_org_{Chars(Letters, 20)}\n");

        // Payments
        Token("stripe-secret-key", "sk_live_" + Chars(Alnum, 24), $"sk_test_{Chars(Alnum, 24)}\n");
        Token("stripe-restricted-key", "rk_live_" + Chars(Alnum, 24), $"rk_test_{Chars(Alnum, 24)}\n");
        Token("stripe-webhook-secret", "whsec_" + Chars(Alnum, 32), $"whsec_{Chars(Alnum, 16)}\n");
        Token("shopify-access-token", "shpat_" + Chars(Hex, 32), $"shpat_{Chars(Hex, 16)}\n");
        Token("shopify-custom-app-token", "shpca_" + Chars(Hex, 32), $"shpca_{Chars(Hex, 16)}\n");
        Token("shopify-private-app-token", "shppa_" + Chars(Hex, 32), $"shppa_{Chars(Hex, 16)}\n");
        Token("shopify-shared-secret", "shpss_" + Chars(Hex, 32), $"shpss_{Chars(Hex, 16)}\n");

        // Messaging
        Token("slack-bot-token", $"xoxb-{Chars(Digits, 13)}-{Chars(Digits, 13)}-{Chars(Alnum, 24)}", "xoxb-123-456\n");
        Token("slack-user-token", $"xoxp-{Chars(Digits, 12)}-{Chars(Digits, 12)}-{Chars(Digits, 13)}-{Chars(Alnum, 32)}", $"xoxp-{Chars(Digits, 12)}-{Chars(Alnum, 32)}\n");
        Token("slack-legacy-token", $"xoxs-{Chars(Digits, 10)}-{Chars(Alnum, 40)}", "xoxs-ab\n");
        Token("slack-app-token", $"xapp-1-A{Chars(UpperDigits, 10)}-{Chars(Digits, 13)}-{Chars(Hex, 64)}", "xapp-1-abc\n");
        Token("slack-webhook-url", $"https://hooks.slack.com/services/T{Chars(UpperDigits, 10)}/B{Chars(UpperDigits, 10)}/{Chars(Alnum, 24)}",
            "https://hooks.slack.com/services/T000/B000/x\n", "webhook: ");
        var discordToken = "M" + Chars(UrlSafe, 23) + "." + Chars(UrlSafe, 6) + "." + Chars(UrlSafe, 27);
        Assigned("discord-bot-token", $"DISCORD_BOT_TOKEN={discordToken}\n", discordToken, "DISCORD_BOT_TOKEN=${DISCORD_TOKEN}\n");
        Token("discord-webhook-url", $"https://discord.com/api/webhooks/{Chars(Digits, 18)}/{Chars(UrlSafe, 68)}",
            "https://discord.com/api/webhooks/123/abc\n", "webhook: ");
        var twilioKey = "SK" + Chars(Hex, 32);
        Assigned("twilio-api-key", $"TWILIO_API_KEY={twilioKey}\n", twilioKey, $"SIGNING_KEY=SK{Chars(Hex, 32)}\n");
        var twilioToken = Chars(Hex, 32);
        Assigned("twilio-auth-token", $"TWILIO_AUTH_TOKEN={twilioToken}\n", twilioToken, $"TWILIO_AUTH_TOKEN={Chars(Hex, 20)}\n");
        Token("sendgrid-api-key", $"SG.{Chars(UrlSafe, 22)}.{Chars(UrlSafe, 43)}", $"SG.{Chars(Alnum, 22)}\n");
        Token("mailgun-api-key", "key-" + Chars(Hex, 32), $"key-{Chars(Hex, 20)}\n");
        var signing = $"{Chars(Hex, 32)}-{Chars(Hex, 8)}-{Chars(Hex, 8)}";
        Assigned("mailgun-webhook-signing-key", $"MAILGUN_SIGNING_KEY={signing}\n", signing, "MAILGUN_DOMAIN=mg.example.com\n");
        Token("mailchimp-api-key", Chars(Hex, 32) + "-us14", $"MAILCHIMP_API_KEY={Chars(Hex, 32)}-eu1\n", "MAILCHIMP_API_KEY=");

        // Infrastructure
        var herokuKey = Uuid();
        Assigned("heroku-api-key", $"HEROKU_API_KEY={herokuKey}\n", herokuKey, "HEROKU_APP_NAME=my-app\n");
        Token("heroku-api-key-v2", "HRKU-AA" + Chars(UrlSafe, 58), $"HRKU-AA{Chars(Alnum, 20)}\n");
        Token("vault-service-token", "hvs." + Chars(UrlSafe, 95), $"hvs.{Chars(Alnum, 24)}\n");
        Token("vault-batch-token", "hvb." + Chars(UrlSafe, 150), $"hvb.{Chars(Alnum, 40)}\n");
        Token("terraform-cloud-token", Chars(Alnum, 14) + ".atlasv1." + Chars(UrlSafe, 67), $"{Chars(Alnum, 14)}.atlasv1.{Chars(Alnum, 10)}\n");
        Token("pulumi-access-token", "pul-" + Chars(Hex, 40), $"pul-{Chars(Hex, 20)}\n");
        Token("doppler-personal-token", "dp.pt." + Chars(Alnum, 43), $"dp.pt.{Chars(Alnum, 20)}\n");
        Token("doppler-service-token", "dp.st.prd." + Chars(Alnum, 40), $"dp.st.{Chars(Alnum, 10)}\n");
        Token("databricks-token", "dapi" + Chars(Hex, 32), $"dapi{Chars(Hex, 16)}\n");
        Token("grafana-api-key", "eyJrIjoi" + Chars(Alnum, 80), $"eyJrIjoi{Chars(Alnum, 20)}\n");
        Token("grafana-cloud-token", "glc_" + Chars(Alnum, 40), $"glc_{Chars(Alnum, 10)}\n");
        Token("grafana-service-account-token", $"glsa_{Chars(Alnum, 32)}_{Chars(Hex, 8)}", $"glsa_{Chars(Alnum, 10)}\n");
        Token("new-relic-user-api-key", "NRAK-" + Chars(UpperDigits, 27), $"NRAK-{Chars(UpperDigits, 10)}\n");
        Token("new-relic-insert-key", "NRII-" + Chars(Alnum, 32), $"NRII-{Chars(Alnum, 10)}\n");
        Token("new-relic-browser-api-token", "NRJS-" + Chars(Hex, 19), $"NRJS-{Chars(Hex, 10)}\n");
        Token("dynatrace-api-token", $"dt0c01.{Chars(UpperDigits, 24)}.{Chars(UpperDigits, 64)}", $"dt0c01.{Chars(UpperDigits, 24)}\n");

        // AI
        Token("openai-api-key", $"sk-{Chars(Alnum, 20)}T3BlbkFJ{Chars(Alnum, 20)}", $"sk-{Chars(Alnum, 48)}\n");
        Token("openai-project-key", "sk-proj-" + Chars(UrlSafe, 120), $"sk-proj-{Chars(Alnum, 20)}\n");
        Token("groq-api-key", "gsk_" + Chars(Alnum, 52), $"gsk_{Chars(Alnum, 30)}\n");
        Token("anthropic-api-key", "sk-ant-api03-" + Chars(UrlSafe, 93) + "AA", $"sk-ant-api03-{Chars(Alnum, 20)}\n");
        Token("anthropic-admin-key", "sk-ant-admin01-" + Chars(UrlSafe, 93) + "AA", $"sk-ant-admin01-{Chars(Alnum, 20)}\n");

        // Generic
        var pemBody = "MIIE" + Chars(Base64, 60) + "\n" + Chars(Base64, 64) + "\n" + Chars(Base64, 64) + "=";
        Assigned("private-key", $"-----BEGIN RSA PRIVATE KEY-----\n{pemBody}\n-----END RSA PRIVATE KEY-----\n", pemBody,
            $"-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n-----BEGIN PUBLIC KEY-----\n{Chars(Base64, 64)}\n-----END PUBLIC KEY-----\n");
        Token("age-secret-key", "AGE-SECRET-KEY-1" + Chars(Bech32Upper, 58), $"AGE-SECRET-KEY-1{Chars(Bech32Upper, 10)}\n");
        var jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlLXVzZXIifQ." + Chars(UrlSafe, 43);
        Token("jwt", jwt, "eyJhbGciOiJIUzI1NiJ9.notajwt\n", "Authorization: Bearer ");
        var dbPassword = Chars(Alnum, 16);
        Assigned("connection-string-url", $"DATABASE_URL=postgres://app:{dbPassword}@db.internal:5432/app\n", dbPassword,
            "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app\n");
        var adoPassword = Chars(Alnum, 16);
        Assigned("connection-string-password", $"\"Default\": \"Server=db.internal;Database=app;User Id=app;Password={adoPassword};\"\n", adoPassword,
            "\"Default\": \"Server=db.internal;Database=app;Integrated Security=true;\"\n");
        var apiKey = Chars(Alnum, 32);
        Assigned("generic-api-key", $"api_key = \"{apiKey}\"\n", apiKey, "api_key = \"your-api-key-goes-here\"\n");
        var password = Chars(Alnum, 16);
        Assigned("generic-password", $"password: \"{password}\"\n", password, "password: \"changeme\"\n");
        return cases;
    }
}
