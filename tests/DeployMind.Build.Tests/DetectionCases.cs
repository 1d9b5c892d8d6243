using DeployMind.Build.Detection;

namespace DeployMind.Build.Tests;

/// <summary>A small repository and what detection must conclude about it.</summary>
public sealed record DetectionCase(
    string Name,
    (string Path, string Content)[] Files,
    AppLanguage Language,
    string? Framework,
    string? PackageManager,
    string? Version,
    int Port,
    string StartCommand,
    string HealthPath,
    string? EntryPoint = null)
{
    public override string ToString() => Name;
}

internal static class DetectionCases
{
    public static TheoryData<DetectionCase> All() =>
    [
        new("node express npm lockfile, port from env default",
            [
                ("package.json", """{ "name": "a", "scripts": { "start": "node index.js" }, "dependencies": { "express": "^4.19.0" } }"""),
                ("package-lock.json", """{ "lockfileVersion": 3, "packages": {} }"""),
                ("index.js", "const app = require('express')();\napp.get('/healthz', (q, s) => s.send('ok'));\napp.listen(process.env.PORT || 4000);\n"),
            ],
            AppLanguage.NodeJs, "express", "npm", null, 4000, "node index.js", "/healthz", "index.js"),
        new("node fastify yarn nvmrc, port from listen options",
            [
                ("package.json", """{ "scripts": { "start": "node server.js" }, "dependencies": { "fastify": "^4.0.0" } }"""),
                ("yarn.lock", "# yarn lockfile v1\n"),
                (".nvmrc", "v20.11.0\n"),
                ("server.js", "const f = require('fastify')();\nf.get('/health', async () => ({ ok: true }));\nf.listen({ port: 8080, host: '0.0.0.0' });\n"),
            ],
            AppLanguage.NodeJs, "fastify", "yarn", "20", 8080, "node server.js", "/health"),
        new("node koa pnpm, port from start script",
            [
                ("package.json", """{ "scripts": { "start": "PORT=5000 node app.js" }, "dependencies": { "koa": "^2.15.0" }, "engines": { "node": "^18.17.0" } }"""),
                ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
                ("app.js", "const Koa = require('koa');\nnew Koa().listen(process.env.PORT);\n"),
            ],
            AppLanguage.NodeJs, "koa", "pnpm", "18", 5000, "PORT=5000 node app.js", "/"),
        new("node nestjs, port from main.ts",
            [
                ("package.json", """{ "scripts": { "build": "nest build", "start": "node dist/main.js" }, "dependencies": { "@nestjs/core": "^10.0.0", "@nestjs/common": "^10.0.0", "express": "^4" } }"""),
                ("package-lock.json", "{}"),
                ("src/main.ts", "async function bootstrap() { const app = await NestFactory.create(AppModule); await app.listen(3000); }\n"),
            ],
            AppLanguage.NodeJs, "nestjs", "npm", null, 3000, "node dist/main.js", "/"),
        new("node next, port from start script flag",
            [
                ("package.json", """{ "scripts": { "build": "next build", "start": "next start -p 3001" }, "dependencies": { "next": "14.2.0", "react": "18.3.0" } }"""),
                ("package-lock.json", "{}"),
            ],
            AppLanguage.NodeJs, "next", "npm", null, 3001, "next start -p 3001", "/"),
        new("node hapi, port from server options",
            [
                ("package.json", """{ "scripts": { "start": "node server.js" }, "dependencies": { "@hapi/hapi": "^21.0.0" } }"""),
                ("server.js", "const Hapi = require('@hapi/hapi');\nconst server = Hapi.server({ port: 3500, host: '0.0.0.0' });\nserver.route({ method: 'GET', path: '/ping', handler: () => 'pong' });\n"),
            ],
            AppLanguage.NodeJs, "hapi", "npm", null, 3500, "node server.js", "/ping"),
        new("node without start script falls back to main",
            [
                ("package.json", """{ "name": "lib-server", "main": "lib/server.js" }"""),
                ("lib/server.js", "require('http').createServer(() => {}).listen(7000);\n"),
            ],
            AppLanguage.NodeJs, null, "npm", null, 7000, "node lib/server.js", "/", "lib/server.js"),
        new("node port from .env",
            [
                ("package.json", """{ "scripts": { "start": "node app.js" }, "dependencies": { "express": "^4" } }"""),
                (".env", "# local settings\nPORT=4567\n"),
                ("app.js", "require('express')().listen(process.env.PORT);\n"),
            ],
            AppLanguage.NodeJs, "express", "npm", null, 4567, "node app.js", "/"),
        new("go Procfile port wins over code",
            [
                ("go.mod", "module example.com/p\n\ngo 1.22\n"),
                ("Procfile", "web: ./bin/p --port 7070\n"),
                ("main.go", "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"),
            ],
            AppLanguage.Go, "net/http", "go", "1.22", 7070, "go run .", "/", "."),
        new("node database port is not the listening port",
            [
                ("package.json", """{ "scripts": { "start": "node server.js" }, "dependencies": { "express": "^4", "pg": "^8" } }"""),
                ("db.js", "module.exports = new Pool({ host: 'localhost', port: 5432 });\n"),
                ("server.js", "const PORT = 8080;\nrequire('express')().listen(PORT);\n"),
            ],
            AppLanguage.NodeJs, "express", "npm", null, 8080, "node server.js", "/"),
        new("go database address is not the listening port",
            [
                ("go.mod", "module example.com/d\n\ngo 1.22\n"),
                ("db.go", "package main\n\nconst dsn = \"postgres://localhost:5432/app\"\nvar redisAddr = \"127.0.0.1:6379\"\n"),
                ("main.go", "package main\n\nimport (\"net/http\"; \"os\")\n\nfunc main() { http.ListenAndServe(os.Getenv(\"ADDR\"), nil) }\n"),
            ],
            AppLanguage.Go, "net/http", "go", "1.22", 8080, "go run .", "/", "."),
        new("python fastapi pip",
            [
                ("requirements.txt", "fastapi==0.110.0\nuvicorn[standard]==0.29.0\n"),
                ("main.py", "from fastapi import FastAPI\napp = FastAPI()\n\n@app.get(\"/health\")\ndef health():\n    return {\"ok\": True}\n"),
            ],
            AppLanguage.Python, "fastapi", "pip", null, 8000, "uvicorn main:app --host 0.0.0.0 --port 8000", "/health", "main:app"),
        new("python flask poetry with gunicorn",
            [
                ("pyproject.toml", "[tool.poetry]\nname = \"svc\"\n\n[tool.poetry.dependencies]\npython = \"^3.11\"\nflask = \"^3.0\"\ngunicorn = \"^22.0\"\n"),
                ("poetry.lock", "# lock\n"),
                ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
            ],
            AppLanguage.Python, "flask", "poetry", "3.11", 5000, "gunicorn --bind 0.0.0.0:5000 app:app", "/", "app:app"),
        new("python django pipenv",
            [
                ("Pipfile", "[packages]\ndjango = \"*\"\ngunicorn = \"*\"\n\n[requires]\npython_version = \"3.10\"\n"),
                ("Pipfile.lock", "{}"),
                ("manage.py", "#!/usr/bin/env python\nimport django\n"),
                ("mysite/settings.py", "WSGI_APPLICATION = 'mysite.wsgi.application'\n"),
                ("mysite/wsgi.py", "application = None\n"),
            ],
            AppLanguage.Python, "django", "pipenv", "3.10", 8000, "gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application", "/", "mysite.wsgi:application"),
        new("python starlette uv",
            [
                ("pyproject.toml", "[project]\nname = \"svc\"\nrequires-python = \">=3.12\"\ndependencies = [\"starlette>=0.37\", \"uvicorn\"]\n"),
                ("uv.lock", "version = 1\n"),
                ("src/app.py", "from starlette.applications import Starlette\napp = Starlette(routes=[])\n"),
            ],
            AppLanguage.Python, "starlette", "uv", "3.12", 8000, "uvicorn src.app:app --host 0.0.0.0 --port 8000", "/", "src.app:app"),
        new("python Procfile gives start and port",
            [
                ("requirements.txt", "flask\ngunicorn\n"),
                (".python-version", "3.11.4\n"),
                ("Procfile", "web: gunicorn app:app --bind 0.0.0.0:9000\n"),
                ("app.py", "from flask import Flask\napp = Flask(__name__)\n@app.route('/status')\ndef status(): return 'ok'\n"),
            ],
            AppLanguage.Python, "flask", "pip", "3.11", 9000, "gunicorn app:app --bind 0.0.0.0:9000", "/status"),
        new("go gin at the root",
            [
                ("go.mod", "module example.com/api\n\ngo 1.22\n\nrequire github.com/gin-gonic/gin v1.9.1\n"),
                ("go.sum", ""),
                ("main.go", "package main\n\nimport \"github.com/gin-gonic/gin\"\n\nfunc main() {\n\tr := gin.Default()\n\tr.GET(\"/health\", nil)\n\tr.Run(\":9090\")\n}\n"),
            ],
            AppLanguage.Go, "gin", "go", "1.22", 9090, "go run .", "/health", "."),
        new("go echo in cmd/api",
            [
                ("go.mod", "module example.com/svc\n\ngo 1.21\n\nrequire github.com/labstack/echo/v4 v4.11.0\n"),
                ("cmd/api/main.go", "package main\n\nfunc main() {\n\te := echo.New()\n\te.Start(\":1323\")\n}\n"),
                ("internal/store/store.go", "package store\n"),
            ],
            AppLanguage.Go, "echo", "go", "1.21", 1323, "go run ./cmd/api", "/", "./cmd/api"),
        new("go fiber",
            [
                ("go.mod", "module example.com/f\n\ngo 1.22\n\nrequire github.com/gofiber/fiber/v2 v2.52.0\n"),
                ("main.go", "package main\n\nfunc main() {\n\tapp := fiber.New()\n\tapp.Listen(\":3000\")\n}\n"),
            ],
            AppLanguage.Go, "fiber", "go", "1.22", 3000, "go run .", "/", "."),
        new("go chi picks cmd named after the module",
            [
                ("go.mod", "module example.com/shop\n\ngo 1.22\n\nrequire github.com/go-chi/chi/v5 v5.0.12\n"),
                ("cmd/worker/main.go", "package main\n\nfunc main() {}\n"),
                ("cmd/shop/main.go", "package main\n\nimport \"net/http\"\n\nfunc main() {\n\thttp.ListenAndServe(\":8081\", nil)\n}\n"),
            ],
            AppLanguage.Go, "chi", "go", "1.22", 8081, "go run ./cmd/shop", "/", "./cmd/shop"),
        new("java spring boot maven with actuator",
            [
                ("pom.xml", "<project><parent><artifactId>spring-boot-starter-parent</artifactId></parent><properties><java.version>17</java.version></properties>" +
                            "<dependencies><dependency><artifactId>spring-boot-starter-actuator</artifactId></dependency></dependencies></project>"),
                ("src/main/resources/application.properties", "server.port=8081\n"),
                ("src/main/java/demo/App.java", "class App {}\n"),
            ],
            AppLanguage.Java, "spring-boot", "maven", "17", 8081, "java -jar app.jar", "/actuator/health"),
        new("java spring boot gradle kotlin dsl",
            [
                ("build.gradle.kts", "plugins { id(\"org.springframework.boot\") version \"3.3.0\" }\njava { toolchain { languageVersion = JavaLanguageVersion.of(21) } }\n"),
                ("settings.gradle.kts", "rootProject.name = \"demo\"\n"),
                ("src/main/resources/application.yml", "server:\n  port: 9000\n"),
                ("src/main/java/demo/Health.java", "@GetMapping(\"/health\") class Health {}\n"),
            ],
            AppLanguage.Java, "spring-boot", "gradle", "21", 9000, "java -jar app.jar", "/health"),
        new("dotnet aspnetcore in src/Api, test project ignored",
            [
                ("Shop.sln", ""),
                ("src/Api/Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>"),
                ("src/Api/Program.cs", "var app = WebApplication.CreateBuilder(args).Build();\napp.MapHealthChecks(\"/healthz\");\napp.Run();\n"),
                ("tests/Api.Tests/Api.Tests.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>"),
            ],
            AppLanguage.DotNet, "aspnetcore", "dotnet", "8.0", 8080, "dotnet Api.dll", "/healthz", "src/Api/Api.csproj"),
        new("ruby rails with up route",
            [
                ("Gemfile", "source 'https://rubygems.org'\ngem \"rails\", \"~> 7.1\"\ngem \"puma\"\n"),
                ("Gemfile.lock", "GEM\n"),
                (".ruby-version", "3.2.2\n"),
                ("config/application.rb", "module Shop; class Application < Rails::Application; end; end\n"),
                ("config/routes.rb", "Rails.application.routes.draw do\n  get \"up\" => \"rails/health#show\", as: :rails_health_check\nend\n"),
                ("package.json", """{ "scripts": { "build": "esbuild app/javascript/*.* --bundle" }, "dependencies": { "esbuild": "^0.20" } }"""),
            ],
            AppLanguage.Ruby, "rails", "bundler", "3.2", 3000, "bundle exec rails server -b 0.0.0.0 -p 3000", "/up"),
        new("ruby sinatra",
            [
                ("Gemfile", "source 'https://rubygems.org'\ngem 'sinatra'\n"),
                ("app.rb", "require 'sinatra'\nset :port, 4567\nget '/health' do\n  'ok'\nend\n"),
            ],
            AppLanguage.Ruby, "sinatra", "bundler", null, 4567, "bundle exec ruby app.rb -o 0.0.0.0 -p 4567", "/health", "app.rb"),
        new("rust axum",
            [
                ("Cargo.toml", "[package]\nname = \"api\"\nversion = \"0.1.0\"\nrust-version = \"1.78\"\n\n[dependencies]\naxum = \"0.7\"\ntokio = { version = \"1\" }\n"),
                ("Cargo.lock", "version = 3\n"),
                ("src/main.rs", "#[tokio::main]\nasync fn main() {\n    let app = Router::new().route(\"/health\", get(ok));\n    let l = tokio::net::TcpListener::bind(\"0.0.0.0:3000\").await.unwrap();\n}\n"),
            ],
            AppLanguage.Rust, "axum", "cargo", "1.78", 3000, "cargo run --release", "/health", "api"),
        new("rust actix-web",
            [
                ("Cargo.toml", "[package]\nname = \"web-svc\"\nversion = \"0.1.0\"\n\n[dependencies]\nactix-web = \"4\"\n"),
                ("src/main.rs", "#[actix_web::main]\nasync fn main() { HttpServer::new(|| App::new()).bind((\"0.0.0.0\", 8088))?.run().await }\n"),
            ],
            AppLanguage.Rust, "actix-web", "cargo", null, 8088, "cargo run --release", "/", "web-svc"),
        new("php laravel with vite package.json",
            [
                ("composer.json", """{ "require": { "php": "^8.2", "laravel/framework": "^11.0" } }"""),
                ("composer.lock", "{}"),
                ("artisan", "#!/usr/bin/env php\n"),
                ("bootstrap/app.php", "->withRouting(web: __DIR__.'/../routes/web.php', health: '/up')\n"),
                ("package.json", """{ "scripts": { "dev": "vite", "build": "vite build" }, "devDependencies": { "vite": "^5.0" } }"""),
            ],
            AppLanguage.Php, "laravel", "composer", "8.2", 8000, "php artisan serve --host=0.0.0.0 --port=8000", "/up"),
        new("static site in public/",
            [
                ("public/index.html", "<h1>hi</h1>"),
                ("README.md", "# site"),
            ],
            AppLanguage.Static, null, null, null, 8080, "busybox httpd -f -p 8080 -h public", "/", "public"),
    ];
}
