package dev.collapse.sample.idp;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Spring Security comes with the OAuth2 client the token demo uses; on its own it would lock
 * every page and endpoint behind a generated password and refuse the page's form posts. The
 * sample authenticates nobody: everything is open, as it was before, and no CSRF token is asked
 * for, since no session or cookie carries a user.
 */
@Configuration(proxyBeanMethods = false)
class DemoSecurity {

	@Bean
	SecurityFilterChain openDemo(HttpSecurity http) throws Exception {
		return http.authorizeHttpRequests((requests) -> requests.anyRequest().permitAll())
			.csrf((csrf) -> csrf.disable())
			.build();
	}

}
