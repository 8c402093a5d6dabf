# workflow-keeper: build with the Maven wrapper, run on a JRE as a non-root user.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q -ntp dependency:go-offline
COPY src src
RUN ./mvnw -B -q -ntp -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN groupadd --system keeper && useradd --system --gid keeper --home-dir /app keeper
WORKDIR /app
COPY --from=build /src/target/workflow-keeper.jar /app/workflow-keeper.jar
# Defaults an operator may override by mounting over /app/config and /app/jobs.
COPY config /app/config
COPY jobs /app/jobs
RUN mkdir -p /app/data && chown -R keeper:keeper /app
USER keeper
# Job history (H2), rejects, archives and the embedded memory store.
VOLUME ["/app/data"]
ENV KEEPER_DATA_DIR=/app/data \
    USE_REDIS=true \
    REDIS_URL=redis://redis:6379/0 \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
EXPOSE 8080
# The liveness probe, on the actuator's port: MANAGEMENT_SERVER_PORT when set, else KEEPER_PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${MANAGEMENT_SERVER_PORT:-${KEEPER_PORT:-8080}}/actuator/health/liveness" || exit 1
# exec form: the JVM gets SIGTERM directly and shuts down gracefully.
ENTRYPOINT ["java", "-jar", "/app/workflow-keeper.jar"]
CMD ["serve"]
