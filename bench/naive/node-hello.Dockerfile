# Naive single stage: the whole toolchain image, the whole context, root user.
FROM deploymind/node:18
WORKDIR /app
COPY . .
RUN npm install
EXPOSE 3000
CMD ["node", "server.js"]
