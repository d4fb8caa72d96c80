# For users with Docker (see docker-compose.yml). One image runs the HTTP service, the workers or the CLI.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build && touch dist/.built
ENV NODE_ENV=production
CMD ["node", "dist/src/main.js"]
