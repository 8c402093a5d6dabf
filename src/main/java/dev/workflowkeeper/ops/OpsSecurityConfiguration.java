package dev.workflowkeeper.ops;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.csrf.CsrfFilter;

/**
 * Who may call what: health and info are open (probes, load balancers), and so are the
 * dashboard's scripts and styles; every other request — the dashboard page and its launch
 * route too — needs the operator's HTTP basic credentials. Without a configured password
 * nobody gets in. One-off commands run without a web server and need none of this.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = Type.SERVLET)
class OpsSecurityConfiguration {

	static final String OPERATOR = "OPERATOR";

	static final String[] DASHBOARD_ASSETS = { "/webjars/**", "/dashboard/**" };

	static final String DASHBOARD_LAUNCH = "/jobs/*/launch";

	private static final Log logger = LogFactory.getLog(OpsSecurityConfiguration.class);

	@Bean
	SecurityFilterChain opsSecurityFilterChain(HttpSecurity http) throws Exception {
		http.authorizeHttpRequests((requests) -> requests.requestMatchers(EndpointRequest.to("health", "info"))
			.permitAll()
			// The dashboard's scripts and styles hold no data; the page itself is
			// protected.
			.requestMatchers(HttpMethod.GET, DASHBOARD_ASSETS)
			.permitAll()
			.anyRequest()
			.hasRole(OPERATOR))
			.httpBasic(Customizer.withDefaults())
			// A machine API authenticated on every request: no session, no cookie, so no
			// CSRF.
			.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint())
				// The dashboard's launch route takes the token its page carries, in a
				// header: no session, no cookie.
				.csrfTokenRepository(new ProcessCsrfTokenRepository()))
			// Answered here: the error page it would go to asks for credentials instead.
			.exceptionHandling(
					(exceptions) -> exceptions.accessDeniedHandler((request, response,
							ex) -> CrossSiteRequestFilter.refuse(response, (ex instanceof CsrfException)
									? "the request carries no valid CSRF token: launch from the dashboard's own page, "
											+ "or use POST /actuator/workflowjobs/{job}"
									: "forbidden")))
			// Whatever the route, a browser's request from another site changes nothing.
			.addFilterBefore(new CrossSiteRequestFilter(), CsrfFilter.class)
			.sessionManagement((sessions) -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
		return http.build();
	}

	@Bean
	UserDetailsService operatorUserDetailsService(OpsProperties properties) {
		if (!properties.hasPassword()) {
			logger.warn(
					"No operator password (KEEPER_ADMIN_PASSWORD): every actuator endpoint but health and info is closed");
			return new InMemoryUserDetailsManager();
		}
		PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
		return new InMemoryUserDetailsManager(User.withUsername(properties.adminUser())
			.password(encoder.encode(properties.adminPassword()))
			.roles(OPERATOR)
			.build());
	}

}
