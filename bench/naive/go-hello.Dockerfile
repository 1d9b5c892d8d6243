# Naive single stage: compiles and runs in the Go toolchain image.
FROM deploymind/golang:1.19
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/server ./cmd/server
EXPOSE 8080
CMD ["server"]
